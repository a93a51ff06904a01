package io.svcproxy.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identifies one port of one Service: namespace, service name, port name (may be empty) and protocol.
 * {@link #toString()} is kube-proxy's "ns/name:port" form, which feeds chain hashes and comments.
 */
public record ServicePortName(String namespace, String name, String port, Protocol protocol)
        implements Comparable<ServicePortName> {

    private static final Comparator<ServicePortName> ORDER = Comparator
            .comparing(ServicePortName::namespace)
            .thenComparing(ServicePortName::name)
            .thenComparing(ServicePortName::port)
            .thenComparing(ServicePortName::protocol);

    public ServicePortName {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(protocol, "protocol");
    }

    public ServiceName service() {
        return new ServiceName(namespace, name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name + (port.isEmpty() ? "" : ":" + port);
    }

    @Override
    public int compareTo(ServicePortName o) {
        return ORDER.compare(this, o);
    }
}
