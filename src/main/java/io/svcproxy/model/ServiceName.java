package io.svcproxy.model;

import java.util.Comparator;

/** namespace/name of a Service. */
public record ServiceName(String namespace, String name) implements Comparable<ServiceName> {
    private static final Comparator<ServiceName> ORDER =
            Comparator.comparing(ServiceName::namespace).thenComparing(ServiceName::name);

    @Override
    public String toString() {
        return namespace + "/" + name;
    }

    @Override
    public int compareTo(ServiceName o) {
        return ORDER.compare(this, o);
    }
}
