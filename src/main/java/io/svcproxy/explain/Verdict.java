package io.svcproxy.explain;

/** What finally happens to the packet on this node. */
public enum Verdict {
    /** DNATed to a service endpoint. */
    DELIVERED,
    /** Rejected (a service without endpoints, a port a cluster IP does not serve). */
    REJECTED,
    /** Dropped (a source outside loadBalancerSourceRanges, no local endpoint, a foreign DROP). */
    DROPPED,
    /** No rule rewrote it: not a service address, it goes on untouched. */
    NOT_A_SERVICE
}
