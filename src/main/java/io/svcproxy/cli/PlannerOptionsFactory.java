package io.svcproxy.cli;

import io.svcproxy.config.ConfigException;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.plan.LocalTrafficDetector;
import io.svcproxy.plan.PlannerOptions;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the proxy configuration and what is known of this node into the planner's options for one
 * family, with kube-proxy's semantics (e.g. ClusterCIDR detection without a CIDR of that family
 * detects nothing, and then the rules that need it are left out, as kube-proxy does). It lives in
 * the wiring, not in config or plan, so that neither of those two depends on the other.
 */
final class PlannerOptionsFactory {
    private PlannerOptionsFactory() {
    }

    /**
     * @param node         this node, if known
     * @param localIPs     this node's own addresses (interfaces); when empty, the Node's addresses
     * @param tcpBeLiberal nf_conntrack_tcp_be_liberal is set on the node
     */
    public static PlannerOptions create(ProxyConfig config, IpFamily family, NodeInfo node,
                                        List<InetAddress> localIPs, boolean tcpBeLiberal) {
        String hostname = hostname(config, node);
        return new PlannerOptions(family, hostname, node == null ? "" : node.zone(),
                localDetector(config, family, node), config.masqueradeAll(), config.masqueradeBit(),
                nodePortCidrs(config, family, node), nodeAddresses(family, node, localIPs),
                node == null ? null : node.primaryAddress(family), config.localhostNodePorts(), tcpBeLiberal, true,
                PlannerOptions.KUBE_PROXY_LARGE_CLUSTER_ENDPOINTS);
    }

    /** --hostname-override, else this node's name, else the OS host name (lower-cased, as kube-proxy). */
    public static String hostname(ProxyConfig config, NodeInfo node) {
        if (!config.hostnameOverride().isEmpty()) {
            return config.hostnameOverride();
        }
        if (node != null) {
            return node.name();
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    private static LocalTrafficDetector localDetector(ProxyConfig config, IpFamily family, NodeInfo node) {
        switch (config.detectLocalMode()) {
            case CLUSTER_CIDR:
                return config.clusterCidrs().stream().filter(c -> c.family() == family).findFirst()
                        .map(LocalTrafficDetector::ofCidr).orElse(LocalTrafficDetector.NONE);
            case NODE_CIDR:
                if (node == null) {
                    throw new ConfigException("detectLocalMode NodeCIDR needs this node's Node object (spec.podCIDRs)");
                }
                return node.podCidrs().stream().filter(c -> c.family() == family).findFirst()
                        .map(LocalTrafficDetector::ofCidr).orElse(LocalTrafficDetector.NONE);
            case BRIDGE_INTERFACE:
                return LocalTrafficDetector.ofInterface(config.bridgeInterface());
            default:
                return LocalTrafficDetector.ofInterface(config.interfaceNamePrefix() + "+");
        }
    }

    private static List<Cidr> nodePortCidrs(ProxyConfig config, IpFamily family, NodeInfo node) {
        List<Cidr> out = new ArrayList<>();
        if (config.nodePortAddresses().primary() && node != null && node.primaryAddress(family) != null) {
            out.add(new Cidr(node.primaryAddress(family), family.bits()));
        }
        config.nodePortAddresses().cidrs().stream().filter(c -> c.family() == family).forEach(out::add);
        return out;
    }

    private static List<InetAddress> nodeAddresses(IpFamily family, NodeInfo node, List<InetAddress> localIPs) {
        List<InetAddress> out = new ArrayList<>();
        if (!localIPs.isEmpty()) {
            localIPs.stream().filter(a -> IpFamily.of(a) == family).forEach(out::add);
            return out;
        }
        if (node != null) {
            node.addresses().stream().filter(a -> IpFamily.of(a) == family).forEach(out::add);
        }
        out.add(Addresses.parseIp(family == IpFamily.V4 ? "127.0.0.1" : "::1"));
        return out;
    }
}
