package io.svcproxy.plan;

/** Names of the fixed chains kube-proxy's iptables mode uses, and of the built-in chains and tables. */
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

    public static final String FILTER = "filter";
    public static final String NAT = "nat";
    public static final String MANGLE = "mangle";

    public static final String NFACCT_LOCALHOST_NODEPORTS = "localhost_nps_accepted_pkts";
    public static final String NFACCT_INVALID_DROPPED = "ct_state_invalid_dropped_pkts";

    private KubeChains() {
    }
}
