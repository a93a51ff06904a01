package io.svcproxy.plan;

/**
 * Names of the fixed chains kube-proxy's iptables mode and IPVS mode's iptables glue use, and of the
 * tables: the one place they are declared.
 */
public final class KubeChains {
    public static final String SERVICES = "KUBE-SERVICES";
    public static final String EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
    public static final String NODEPORTS = "KUBE-NODEPORTS";
    public static final String POSTROUTING = "KUBE-POSTROUTING";
    public static final String MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String FORWARD = "KUBE-FORWARD";
    public static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    public static final String PROXY_CANARY = "KUBE-PROXY-CANARY";
    /** Shared with the kubelet, which creates an identical copy of its one rule. */
    public static final String KUBELET_FIREWALL = "KUBE-FIREWALL";

    // IPVS mode's glue only (besides SERVICES, POSTROUTING, MARK_MASQ, FORWARD and PROXY_FIREWALL above).
    /** IPVS mode's NodePort chain (iptables mode's is KUBE-NODEPORTS). */
    public static final String IPVS_NODE_PORT = "KUBE-NODE-PORT";
    public static final String IPVS_LOAD_BALANCER = "KUBE-LOAD-BALANCER";
    public static final String IPVS_SOURCE_RANGES_FIREWALL = "KUBE-SOURCE-RANGES-FIREWALL";
    public static final String IPVS_FILTER = "KUBE-IPVS-FILTER";
    public static final String IPVS_OUT_FILTER = "KUBE-IPVS-OUT-FILTER";

    public static final String FILTER = "filter";
    public static final String NAT = "nat";
    public static final String MANGLE = "mangle";

    public static final String NFACCT_LOCALHOST_NODEPORTS = "localhost_nps_accepted_pkts";
    public static final String NFACCT_INVALID_DROPPED = "ct_state_invalid_dropped_pkts";

    private KubeChains() {
    }
}
