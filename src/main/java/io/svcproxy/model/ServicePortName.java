package io.svcproxy.model;

import java.util.Objects;

/**
 * Identifies one port of one Service: namespace, service name, port name (may be empty) and protocol.
 * {@link #toString()} is kube-proxy's "ns/name:port" form, which feeds chain hashes and comments.
 */
public record ServicePortName(String namespace, String name, String port, Protocol protocol)
        implements Comparable<ServicePortName> {

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

    /** By namespace, name, port, protocol. Written out: snapshots and plans sort tens of thousands of these. */
    @Override
    public int compareTo(ServicePortName o) {
        if (this == o) {
            return 0;
        }
        int c = namespace.compareTo(o.namespace);
        if (c == 0) {
            c = name.compareTo(o.name);
        }
        if (c == 0) {
            c = port.compareTo(o.port);
        }
        return c != 0 ? c : protocol.compareTo(o.protocol);
    }
}
