package io.svcproxy.e2e;

import java.util.Objects;

/**
 * Where a request starts: a client pod on a node (pod network, not host network), the node itself
 * (host network: the proxy's OUTPUT path), or a host outside the cluster on the nodes' network (which
 * reaches node addresses, but not cluster IPs or pod IPs).
 */
public record Source(Kind kind, String node) {
    public enum Kind { POD, NODE, EXTERNAL }

    public Source {
        Objects.requireNonNull(kind);
        if ((kind == Kind.EXTERNAL) != (node == null)) {
            throw new IllegalArgumentException(kind + " source " + (node == null ? "needs a node" : "has no node"));
        }
    }

    /** The driver's client pod on that node (one per node, not selected by any test's Service). */
    public static Source pod(String node) {
        return new Source(Kind.POD, node);
    }

    public static Source node(String node) {
        return new Source(Kind.NODE, node);
    }

    public static Source external() {
        return new Source(Kind.EXTERNAL, null);
    }

    @Override
    public String toString() {
        return kind == Kind.EXTERNAL ? "external" : kind.name().toLowerCase() + "@" + node;
    }
}
