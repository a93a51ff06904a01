package io.svcproxy.plan;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Everything besides the cluster snapshot that shapes the rules of one family. Built by the CLI or
 * daemon from flags/config and facts about the node; the planner itself reads nothing else.
 *
 * @param hostname              this node's name (endpoints with this nodeName are local)
 * @param masqueradeBit         bit of the packet mark used to request SNAT (kube-proxy default 14)
 * @param nodePortAddresses     CIDRs of this family NodePorts listen on; empty = every local address
 * @param nodePortIPs           this node's addresses; those inside {@code nodePortAddresses} get a NodePort rule
 * @param nodeIP                primary node IP of this family (LB source-range self access), may be null
 * @param localhostNodePorts    NodePorts also answer on 127.0.0.0/8 (IPv4 only; needs route_localnet)
 * @param conntrackTcpBeLiberal nf_conntrack_tcp_be_liberal is set: no INVALID-drop rule is needed
 * @param nfacctCounters        add kube-proxy's "-m nfacct" counting matches
 * @param largeClusterEndpoints above this many endpoints, per-endpoint comments are left out
 *                              (kube-proxy's large cluster mode, which cuts ruleset size ~40%)
 */
public record PlannerOptions(
        IpFamily family,
        String hostname,
        String zone,
        LocalTrafficDetector localDetector,
        boolean masqueradeAll,
        int masqueradeBit,
        List<Cidr> nodePortAddresses,
        List<InetAddress> nodePortIPs,
        InetAddress nodeIP,
        boolean localhostNodePorts,
        boolean conntrackTcpBeLiberal,
        boolean nfacctCounters,
        int largeClusterEndpoints) {

    public static final int KUBE_PROXY_LARGE_CLUSTER_ENDPOINTS = 1000;

    public PlannerOptions {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(localDetector, "localDetector");
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masqueradeBit " + masqueradeBit + " out of range 0..31");
        }
        nodePortAddresses = nodePortAddresses.stream().filter(c -> c.family() == family).toList();
        nodePortIPs = List.copyOf(nodePortIPs);
    }

    /** kube-proxy's defaults for one family on a node called {@code hostname}. */
    public static PlannerOptions defaults(IpFamily family, String hostname) {
        return new PlannerOptions(family, hostname, "", LocalTrafficDetector.NONE, false, 14, List.of(), List.of(),
                null, true, false, true, KUBE_PROXY_LARGE_CLUSTER_ENDPOINTS);
    }

    public long masqueradeMark() {
        return 1L << masqueradeBit;
    }

    public boolean ipv6() {
        return family == IpFamily.V6;
    }

    /** NodePorts are open on every local address (no --nodeport-addresses, or a zero CIDR given). */
    public boolean nodePortsMatchAll() {
        return nodePortAddresses.isEmpty() || nodePortAddresses.stream().anyMatch(c -> c.prefixLength() == 0);
    }

    /** Localhost NodePorts take effect only for IPv4 and only when the NodePort addresses include loopback. */
    public boolean localhostNodePortsActive() {
        if (!localhostNodePorts || ipv6()) {
            return false;
        }
        if (nodePortsMatchAll()) {
            return true;
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return nodePortAddresses.stream().anyMatch(c -> c.contains(loopback));
    }

    public PlannerOptions withLocalDetector(LocalTrafficDetector detector) {
        return new PlannerOptions(family, hostname, zone, detector, masqueradeAll, masqueradeBit, nodePortAddresses,
                nodePortIPs, nodeIP, localhostNodePorts, conntrackTcpBeLiberal, nfacctCounters, largeClusterEndpoints);
    }

    public PlannerOptions withMasqueradeAll(boolean value) {
        return new PlannerOptions(family, hostname, zone, localDetector, value, masqueradeBit, nodePortAddresses,
                nodePortIPs, nodeIP, localhostNodePorts, conntrackTcpBeLiberal, nfacctCounters, largeClusterEndpoints);
    }

    public PlannerOptions withNodePorts(List<Cidr> addresses, List<InetAddress> ips, boolean localhost) {
        return new PlannerOptions(family, hostname, zone, localDetector, masqueradeAll, masqueradeBit, addresses,
                ips, nodeIP, localhost, conntrackTcpBeLiberal, nfacctCounters, largeClusterEndpoints);
    }

    public PlannerOptions withNode(String zoneName, InetAddress primaryIP) {
        return new PlannerOptions(family, hostname, zoneName, localDetector, masqueradeAll, masqueradeBit,
                nodePortAddresses, nodePortIPs, primaryIP, localhostNodePorts, conntrackTcpBeLiberal, nfacctCounters,
                largeClusterEndpoints);
    }

    public PlannerOptions withMasqueradeBit(int bit) {
        return new PlannerOptions(family, hostname, zone, localDetector, masqueradeAll, bit, nodePortAddresses,
                nodePortIPs, nodeIP, localhostNodePorts, conntrackTcpBeLiberal, nfacctCounters, largeClusterEndpoints);
    }
}
