package io.svcproxy.e2e.netns;

import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.Teardown;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Pod;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The network of the e2e netns cluster, nothing added to the host namespace:
 * <pre>
 *   fabric netns: bridge br0 ──┬── node-1 eth0 192.168.77.11 fd00:77::11   pods 10.244.1.0/24 fd00:10:244:1::/64
 *                              ├── node-2 eth0 192.168.77.12 fd00:77::12   pods 10.244.2.0/24 fd00:10:244:2::/64
 *                              ├── node-3 eth0 192.168.77.13 fd00:77::13   pods 10.244.3.0/24 fd00:10:244:3::/64
 *                              └── external eth0 192.168.77.99 fd00:77::99 (a host on the nodes' network)
 * </pre>
 * Pods hang off their node by routed veths (a /32 and a /128 per pod, as {@code topology.Topology}
 * does; IPv6 via the node side's fe80::1), each node routes the other nodes' pod CIDRs via their node
 * IPs and everything else to the external host, which does not forward (so nothing leaves the
 * cluster, and traffic to an unknown Service IP is forwarded, reaching the proxy's FORWARD rules).
 * Node i's client pod is 10.244.i.250 / fd00:10:244:i::fa.
 */
final class ClusterNetwork implements AutoCloseable {
    static final String CLUSTER_CIDRS = "10.244.0.0/16,fd00:10:244::/56";
    private static final String EXTERNAL4 = "192.168.77.99";
    private static final String EXTERNAL6 = "fd00:77::99";
    private static final Duration CMD = Duration.ofSeconds(15);
    private static final int CLIENT_HOST = 250;

    /** One node: its namespace as a shell, its addresses, its pod CIDRs and its client pod. */
    record Node(String name, int index, Pod shell, String ip4, String ip6, PodNet client) {
        String podCidr4() {
            return "10.244." + index + ".0/24";
        }

        String podCidr6() {
            return "fd00:10:244:" + index + "::/64";
        }

        String nsName() {
            return shell.ns().name();
        }
    }

    /** A pod's namespace (as a {@link Pod}, ip = its IPv4 address) and its IPv6 address. */
    record PodNet(Pod pod, String ip4, String ip6) {
    }

    private final Path dir;
    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final int[] nextHost;
    private final int[] nextVeth;
    private Pod external;
    private boolean closed;

    private ClusterNetwork(Path dir, int nodeCount) {
        this.dir = dir;
        this.nextHost = new int[nodeCount + 1];
        this.nextVeth = new int[nodeCount + 1];
    }

    static ClusterNetwork create(Path dir, int nodeCount) {
        ClusterNetwork n = new ClusterNetwork(dir, nodeCount);
        try {
            n.build(nodeCount);
            return n;
        } catch (RuntimeException | Error e) {
            n.close();
            throw e;
        }
    }

    private void build(int nodeCount) {
        NetNs fabric = newNs();
        batch(fabric, "link set lo up", "link add br0 type bridge mcast_snooping 0", "link set br0 up");
        external = new Pod("external", joinBridge(fabric, "fx", EXTERNAL4, EXTERNAL6), EXTERNAL4, dir);
        for (int i = 1; i <= nodeCount; i++) {
            String ip4 = "192.168.77.1" + i;
            String ip6 = "fd00:77::1" + i;
            NetNs ns = joinBridge(fabric, "f" + i, ip4, ip6);
            sysctl(ns, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0");
            batch(ns, "addr add 10.244." + i + ".1/32 dev lo", "route add default via " + EXTERNAL4,
                    "route add default via " + EXTERNAL6);
            Node partial = new Node("node-" + i, i, new Pod("node-" + i, ns, ip4, dir), ip4, ip6, null);
            nextHost[i] = 10;
            nodes.add(new Node(partial.name(), i, partial.shell(), ip4, ip6,
                    addPod(partial, "client-" + i, CLIENT_HOST)));
        }
        for (Node n : nodes) {
            List<String> routes = new ArrayList<>();
            for (Node other : nodes) {
                if (other != n) {
                    routes.add("route add " + other.podCidr4() + " via " + other.ip4());
                    routes.add("route add " + other.podCidr6() + " via " + other.ip6());
                }
            }
            batch(n.shell().ns(), routes.toArray(String[]::new));
        }
    }

    /** A new namespace whose eth0 is a port of the fabric's bridge, with the two addresses (/24, /64). */
    private NetNs joinBridge(NetNs fabric, String port, String ip4, String ip6) {
        NetNs ns = newNs();
        sysctl(ns, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        batch(fabric, "link add " + port + " type veth peer name eth0 netns " + ns.name(),
                "link set " + port + " master br0", "link set " + port + " up");
        batch(ns, "link set lo up", "link set eth0 up", "addr add " + ip4 + "/24 dev eth0",
                "addr add " + ip6 + "/64 dev eth0 nodad");
        return ns;
    }

    /** A pod namespace behind node, with the next free host number of the node's pod CIDRs. */
    PodNet addPod(Node node, String name) {
        int host = nextHost[node.index()]++;
        if (host >= CLIENT_HOST) {
            throw new IllegalStateException("pod CIDR of " + node.name() + " exhausted");
        }
        return addPod(node, name, host);
    }

    private PodNet addPod(Node node, String name, int host) {
        String ip4 = "10.244." + node.index() + "." + host;
        String ip6 = "fd00:10:244:" + node.index() + "::" + Integer.toHexString(host);
        String veth = "pv" + (nextVeth[node.index()]++);
        NetNs ns = newNs();
        sysctl(ns, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        batch(node.shell().ns(), "link add " + veth + " type veth peer name eth0 netns " + ns.name(),
                "link set " + veth + " up", "addr add fe80::1/64 dev " + veth + " nodad",
                "route add " + ip4 + "/32 dev " + veth + " src 10.244." + node.index() + ".1",
                "route add " + ip6 + "/128 dev " + veth);
        batch(ns, "link set lo up", "link set eth0 up", "addr add " + ip4 + "/32 dev eth0",
                "addr add " + ip6 + "/128 dev eth0 nodad", "route add 10.244." + node.index() + ".1 dev eth0",
                "route add default via 10.244." + node.index() + ".1 dev eth0", "route add default via fe80::1 dev eth0");
        return new PodNet(new Pod(name, ns, ip4, dir), ip4, ip6);
    }

    /** Removes a pod's namespace (its veth goes with it). */
    void removePod(PodNet pod) {
        namespaces.remove(pod.pod().ns());
        pod.pod().ns().close();
    }

    List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    Node node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name + " (nodes: "
                        + nodes.stream().map(Node::name).toList() + ")"));
    }

    Pod external() {
        return external;
    }

    String external(boolean ipv6) {
        return ipv6 ? EXTERNAL6 : EXTERNAL4;
    }

    private NetNs newNs() {
        NetNs ns = NetNs.create();
        namespaces.add(ns);
        return ns;
    }

    private static void sysctl(NetNs ns, String... settings) {
        List<String> argv = new ArrayList<>(List.of("sysctl", "-qw"));
        argv.addAll(List.of(settings));
        Exec.checked(Exec.in(ns.name(), argv), null, CMD);
    }

    /** ip -batch: one fork for many ip commands. */
    private static void batch(NetNs ns, String... commands) {
        Exec.checked(Exec.in(ns.name(), List.of("ip", "-batch", "-")), String.join("\n", commands) + "\n", CMD);
    }

    /** Deletes every namespace (pods first, the fabric last); callable more than once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<NetNs> reverse = new ArrayList<>(namespaces);
        Collections.reverse(reverse);
        Teardown teardown = new Teardown("netns cluster network");
        reverse.forEach(ns -> teardown.step(ns::close));
        teardown.done();
    }
}
