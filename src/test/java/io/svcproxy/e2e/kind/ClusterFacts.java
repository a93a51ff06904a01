package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcproxy.e2e.Capabilities;
import io.svcproxy.e2e.IpFamily;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the kind driver reads from a real cluster's API once, at start: its Ready nodes with their
 * InternalIPs, and its capabilities. A family counts when every node has an InternalIP of it (and a
 * pod CIDR of it, where nodes have pod CIDRs); the primary family is that of the {@code kubernetes}
 * Service (the API server's first Service CIDR), else of the first node's first InternalIP.
 */
record ClusterFacts(List<String> nodes, Map<String, Map<IpFamily, String>> addresses, Capabilities capabilities) {

    static ClusterFacts read(KubernetesClient client, boolean sctp) {
        List<Node> ready = client.nodes().list().getItems().stream().filter(ClusterFacts::isReady)
                .sorted(Comparator.comparing(n -> n.getMetadata().getName())).toList();
        if (ready.size() < 2) {
            throw new IllegalStateException("the e2e suite needs two Ready nodes at least; the cluster has "
                    + ready.stream().map(n -> n.getMetadata().getName()).toList());
        }
        Map<String, Map<IpFamily, String>> addresses = new LinkedHashMap<>();
        for (Node n : ready) {
            addresses.put(n.getMetadata().getName(), internalIps(n));
        }
        Service kubernetes = client.services().inNamespace("default").withName("kubernetes").get();
        List<IpFamily> families = families(ready, kubernetes);
        return new ClusterFacts(List.copyOf(addresses.keySet()), addresses,
                new Capabilities(families, sctp ? Capabilities.Sctp.CONNECT : Capabilities.Sctp.NONE));
    }

    /** The families every node has, the primary first. */
    static List<IpFamily> families(List<Node> nodes, Service kubernetes) {
        Set<IpFamily> common = EnumSet.allOf(IpFamily.class);
        for (Node n : nodes) {
            common.retainAll(internalIps(n).keySet());
            List<String> cidrs = n.getSpec() == null ? null : n.getSpec().getPodCIDRs();
            if (cidrs != null && !cidrs.isEmpty()) {
                common.retainAll(cidrs.stream().map(c -> IpFamily.of(c.split("/")[0])).toList());
            }
        }
        if (common.isEmpty()) {
            throw new IllegalStateException("no IP family shared by the InternalIPs (and pod CIDRs) of every node: "
                    + nodes.stream().map(n -> n.getMetadata().getName() + "=" + internalIps(n)).toList());
        }
        IpFamily declared = null;
        if (kubernetes != null && kubernetes.getSpec() != null && kubernetes.getSpec().getIpFamilies() != null
                && !kubernetes.getSpec().getIpFamilies().isEmpty()) {
            declared = IpFamily.valueOf(kubernetes.getSpec().getIpFamilies().get(0));
        }
        IpFamily primary = declared != null && common.contains(declared) ? declared
                : internalIps(nodes.get(0)).keySet().stream().filter(common::contains).findFirst().orElseThrow();
        List<IpFamily> ordered = new ArrayList<>(List.of(primary));
        common.stream().filter(f -> f != primary).forEach(ordered::add);
        return ordered;
    }

    /** The node's first InternalIP of each family, in the order the node lists them. */
    static Map<IpFamily, String> internalIps(Node n) {
        Map<IpFamily, String> out = new LinkedHashMap<>();
        List<NodeAddress> list = n.getStatus() == null || n.getStatus().getAddresses() == null ? List.of()
                : n.getStatus().getAddresses();
        for (NodeAddress a : list) {
            if ("InternalIP".equals(a.getType()) && NetexecReplies.isIpLiteral(a.getAddress())) {
                out.putIfAbsent(IpFamily.of(a.getAddress()), NetexecReplies.canonical(a.getAddress()));
            }
        }
        return out;
    }

    private static boolean isReady(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    String address(String node, IpFamily family) {
        Map<IpFamily, String> a = addresses.get(node);
        if (a == null) {
            throw new IllegalArgumentException("unknown node " + node + " (nodes: " + nodes + ")");
        }
        String ip = a.get(family);
        if (ip == null) {
            throw new IllegalArgumentException("node " + node + " has no " + family + " InternalIP: " + a);
        }
        return ip;
    }
}
