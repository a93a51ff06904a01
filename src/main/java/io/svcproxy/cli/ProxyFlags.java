package io.svcproxy.cli;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.plan.LocalTrafficDetector;
import io.svcproxy.plan.PlannerOptions;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** kube-proxy's flags that shape the rules, with kube-proxy's names, defaults and meanings. */
public final class ProxyFlags {

    @Option(names = "--hostname-override", paramLabel = "NAME",
            description = "This node's name (endpoints on it are local). Default: the only Node in the snapshot.")
    String hostnameOverride;

    @Option(names = "--cluster-cidr", split = ",", paramLabel = "CIDR",
            description = "Pod CIDRs (comma-separated, one per family): traffic from them is pod traffic.")
    List<String> clusterCidrs = new ArrayList<>();

    @Option(names = "--detect-local-mode", defaultValue = "ClusterCIDR",
            paramLabel = "ClusterCIDR|NodeCIDR|BridgeInterface|InterfaceNamePrefix",
            description = "How pod traffic is recognised. Default: ${DEFAULT-VALUE}.")
    DetectLocalMode detectLocalMode;

    @Option(names = "--pod-bridge-interface", paramLabel = "NAME",
            description = "Bridge pods attach to (with --detect-local-mode=BridgeInterface).")
    String bridgeInterface;

    @Option(names = "--pod-interface-name-prefix", paramLabel = "PREFIX",
            description = "Prefix of pod interfaces (with --detect-local-mode=InterfaceNamePrefix).")
    String interfacePrefix;

    @Option(names = "--masquerade-all", description = "SNAT all traffic sent to a cluster IP.")
    boolean masqueradeAll;

    @Option(names = "--iptables-masquerade-bit", defaultValue = "14", paramLabel = "0-31",
            description = "Bit of the packet mark that requests SNAT. Default: ${DEFAULT-VALUE}.")
    int masqueradeBit;

    @Option(names = "--nodeport-addresses", split = ",", paramLabel = "CIDR|primary",
            description = "Addresses NodePorts listen on (CIDRs, or 'primary' for the node's primary IPs). "
                    + "Default: all local addresses.")
    List<String> nodePortAddresses = new ArrayList<>();

    @Option(names = "--iptables-localhost-nodeports", defaultValue = "true", arity = "0..1", paramLabel = "BOOL",
            description = "Let NodePorts answer on 127.0.0.0/8 (IPv4). Default: ${DEFAULT-VALUE}.")
    boolean localhostNodePorts;

    @Option(names = "--conntrack-tcp-be-liberal", description = "nf_conntrack_tcp_be_liberal is set on the node: "
            + "no rule dropping INVALID packets is installed.")
    boolean conntrackTcpBeLiberal;

    public enum DetectLocalMode { ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix }

    String hostnameOverride() {
        return hostnameOverride;
    }

    /** The planner's options for one family, from these flags and what the snapshot says of the node. */
    PlannerOptions plannerOptions(IpFamily family, ClusterSnapshot snapshot) {
        NodeInfo node = snapshot.node().orElse(null);
        String hostname = hostnameOverride != null ? hostnameOverride : node != null ? node.name() : localHostname();
        InetAddress nodeIP = node == null ? null : node.primaryAddress(family);
        List<Cidr> npAddresses = nodePortCidrs(family, node);
        return new PlannerOptions(family, hostname, node == null ? "" : node.zone(),
                localDetector(family, node), masqueradeAll, masqueradeBit, npAddresses,
                nodeAddresses(family, node), nodeIP, localhostNodePorts, conntrackTcpBeLiberal, true,
                PlannerOptions.KUBE_PROXY_LARGE_CLUSTER_ENDPOINTS);
    }

    private LocalTrafficDetector localDetector(IpFamily family, NodeInfo node) {
        switch (detectLocalMode) {
            case ClusterCIDR: {
                List<Cidr> cidrs = clusterCidrs.stream().map(c -> parseCidr("--cluster-cidr", c))
                        .filter(c -> c.family() == family).toList();
                return cidrs.isEmpty() ? LocalTrafficDetector.NONE : LocalTrafficDetector.ofCidr(cidrs.get(0));
            }
            case NodeCIDR: {
                if (node == null) {
                    throw new IllegalArgumentException("--detect-local-mode=NodeCIDR needs this node's Node object");
                }
                return node.podCidrs().stream().filter(c -> c.family() == family).findFirst()
                        .map(LocalTrafficDetector::ofCidr).orElse(LocalTrafficDetector.NONE);
            }
            case BridgeInterface:
                return LocalTrafficDetector.ofInterface(required("--pod-bridge-interface", bridgeInterface));
            default:
                return LocalTrafficDetector.ofInterface(required("--pod-interface-name-prefix", interfacePrefix) + "+");
        }
    }

    private List<Cidr> nodePortCidrs(IpFamily family, NodeInfo node) {
        List<Cidr> out = new ArrayList<>();
        for (String text : nodePortAddresses) {
            if ("primary".equals(text)) {
                InetAddress ip = node == null ? null : node.primaryAddress(family);
                if (ip != null) {
                    out.add(new Cidr(ip, family.bits()));
                }
            } else {
                Cidr c = parseCidr("--nodeport-addresses", text);
                if (c.family() == family) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Addresses of this node, as far as the snapshot knows them, plus loopback. */
    private static List<InetAddress> nodeAddresses(IpFamily family, NodeInfo node) {
        List<InetAddress> out = new ArrayList<>();
        if (node != null) {
            node.addresses().stream().filter(a -> IpFamily.of(a) == family).forEach(out::add);
        }
        out.add(family == IpFamily.V4 ? io.svcproxy.model.Addresses.parseIp("127.0.0.1")
                : io.svcproxy.model.Addresses.parseIp("::1"));
        return out;
    }

    private static Cidr parseCidr(String flag, String text) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static String required(String flag, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(flag + " is required with this --detect-local-mode");
        }
        return value;
    }

    private static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
