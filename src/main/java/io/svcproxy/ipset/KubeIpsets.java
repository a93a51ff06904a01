package io.svcproxy.ipset;

import io.svcproxy.model.IpFamily;

import java.util.List;

/**
 * kube-proxy's IPVS-mode ipsets: names, types and comments (the comment is what the iptables rules
 * matching the set carry). IPv6 sets are named with "KUBE-6-" instead of "KUBE-", cut to 31
 * characters, as kube-proxy's NewIPSet does; the IPv4 names are unchanged.
 */
public enum KubeIpsets {
    LOOP_BACK("KUBE-LOOP-BACK", IpsetType.HASH_IP_PORT_IP,
            "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose"),
    CLUSTER_IP("KUBE-CLUSTER-IP", IpsetType.HASH_IP_PORT,
            "Kubernetes service cluster ip + port for masquerade purpose"),
    EXTERNAL_IP("KUBE-EXTERNAL-IP", IpsetType.HASH_IP_PORT,
            "Kubernetes service external ip + port for masquerade and filter purpose"),
    EXTERNAL_IP_LOCAL("KUBE-EXTERNAL-IP-LOCAL", IpsetType.HASH_IP_PORT,
            "Kubernetes service external ip + port with externalTrafficPolicy=local"),
    LOAD_BALANCER("KUBE-LOAD-BALANCER", IpsetType.HASH_IP_PORT, "Kubernetes service lb portal"),
    LOAD_BALANCER_FW("KUBE-LOAD-BALANCER-FW", IpsetType.HASH_IP_PORT,
            "Kubernetes service load balancer ip + port for load balancer with sourceRange"),
    LOAD_BALANCER_LOCAL("KUBE-LOAD-BALANCER-LOCAL", IpsetType.HASH_IP_PORT,
            "Kubernetes service load balancer ip + port with externalTrafficPolicy=local"),
    LOAD_BALANCER_SOURCE_IP("KUBE-LOAD-BALANCER-SOURCE-IP", IpsetType.HASH_IP_PORT_IP,
            "Kubernetes service load balancer ip + port + source IP for packet filter purpose"),
    LOAD_BALANCER_SOURCE_CIDR("KUBE-LOAD-BALANCER-SOURCE-CIDR", IpsetType.HASH_IP_PORT_NET,
            "Kubernetes service load balancer ip + port + source cidr for packet filter purpose"),
    NODE_PORT_TCP("KUBE-NODE-PORT-TCP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport TCP port for masquerade purpose"),
    NODE_PORT_LOCAL_TCP("KUBE-NODE-PORT-LOCAL-TCP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport TCP port with externalTrafficPolicy=local"),
    NODE_PORT_UDP("KUBE-NODE-PORT-UDP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport UDP port for masquerade purpose"),
    NODE_PORT_LOCAL_UDP("KUBE-NODE-PORT-LOCAL-UDP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport UDP port with externalTrafficPolicy=local"),
    NODE_PORT_SCTP("KUBE-NODE-PORT-SCTP-HASH", IpsetType.HASH_IP_PORT,
            "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'"),
    NODE_PORT_LOCAL_SCTP("KUBE-NODE-PORT-LOCAL-SCTP-HASH", IpsetType.HASH_IP_PORT,
            "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'"),
    HEALTH_CHECK_NODE_PORT("KUBE-HEALTH-CHECK-NODE-PORT", IpsetType.BITMAP_PORT, "Kubernetes health check node port"),
    IPVS_IPS("KUBE-IPVS-IPS", IpsetType.HASH_IP, "Addresses on the ipvs interface");

    /** Sets older kube-proxy versions created; never created now, destroyed when found. */
    public static final List<String> LEGACY_NAMES = List.of("KUBE-NODE-PORT-SCTP", "KUBE-NODE-PORT-LOCAL-SCTP",
            "KUBE-6-NODE-PORT-SCTP", "KUBE-6-NODE-PORT-LOCAL-SCTP");

    private final String baseName;
    private final IpsetType type;
    private final String comment;

    KubeIpsets(String baseName, IpsetType type, String comment) {
        this.baseName = baseName;
        this.type = type;
        this.comment = comment;
    }

    public IpsetType type() {
        return type;
    }

    public String comment() {
        return comment;
    }

    public String setName(IpFamily family) {
        if (family == IpFamily.V4) {
            return baseName;
        }
        String name = baseName.replaceFirst("^KUBE-", "KUBE-6-");
        return name.length() > 31 ? name.substring(0, 31) : name;
    }

    /** Is this one of the set names kube-proxy's IPVS mode uses (any family, legacy included)? */
    public static boolean isKubeSetName(String name) {
        if (LEGACY_NAMES.contains(name)) {
            return true;
        }
        for (KubeIpsets s : values()) {
            if (s.setName(IpFamily.V4).equals(name) || s.setName(IpFamily.V6).equals(name)) {
                return true;
            }
        }
        return false;
    }
}
