package io.svcproxy.e2e;

import java.util.List;

/**
 * What a cluster can show. {@code families}: the pod and Service IP families, the primary first
 * (dual-stack when both). {@code sctp}: how SCTP Services can be checked.
 */
public record Capabilities(List<IpFamily> families, Sctp sctp) {
    public Capabilities {
        families = List.copyOf(families);
        if (families.isEmpty()) {
            throw new IllegalArgumentException("no IP family");
        }
    }

    public enum Sctp {
        /** No SCTP in this cluster: SCTP behaviours are skipped. */
        NONE,
        /** Real SCTP sockets: a request is an association that the pod answers. */
        CONNECT,
        /** No SCTP sockets (kernel without SCTP): a request is an INIT whose DNAT is read from conntrack. */
        INIT_DNAT
    }

    public boolean dualStack() {
        return families.size() > 1;
    }

    public boolean has(IpFamily family) {
        return families.contains(family);
    }
}
