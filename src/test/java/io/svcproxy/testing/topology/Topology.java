package io.svcproxy.testing.topology;

import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.Teardown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-node cluster in network namespaces, for real-packet tests of the proxy:
 * <pre>
 *   client pod 10.244.1.50 ──┐                       ┌── external 192.168.56.99 (+ .98)
 *   backend pods 10.244.x.y ─┼── node (10.244.1.1) ──┘   routes 10.96/12, 203.0.113/24, 198.51.100/24 via the node
 *                            └  routed veths (/32 per pod, no bridge: every packet crosses the node's L3)
 * </pre>
 * The node (where svcproxy runs) has IP forwarding on, 192.168.56.21/24 towards the external host
 * and a default route to it (so traffic for an unknown service IP is forwarded, and the FORWARD
 * chain's REJECT for services without endpoints is reached, as on a real node). Every namespace
 * and veth is uniquely named per run; each backend runs an {@link EchoServer} (TCP 8080, UDP 8081) that
 * answers "NAME PEERADDR". {@link #close()} kills every process it started (by PID) and deletes every
 * namespace, also after a failure, and may be called more than once.
 */
public final class Topology implements AutoCloseable {
    public static final String NODE_NAME = "node-a";
    public static final String NODE_IP = "192.168.56.21";
    public static final String POD_GATEWAY = "10.244.1.1";
    public static final String CLIENT_IP = "10.244.1.50";
    public static final String EXTERNAL_IP = "192.168.56.99";
    public static final String EXTERNAL_IP_2 = "192.168.56.98";
    public static final String CLUSTER_CIDR = "10.244.0.0/16";
    public static final int TCP_PORT = 8080;
    public static final int UDP_PORT = 8081;
    private static final Duration CMD = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final Path dir;
    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<BackgroundProcess> processes = new ArrayList<>();
    private final Map<String, Pod> backends = new LinkedHashMap<>();
    private NetNs node;
    private Pod nodePod;
    private Pod client;
    private Pod external;
    private int vethCount;
    private boolean closed;

    private Topology() {
        this.id = String.format("%06x", RANDOM.nextInt(1 << 24));
        try {
            this.dir = Files.createTempDirectory("svcp-topo-" + id + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> backends = new LinkedHashMap<>();

        /** A backend pod named name (its echo servers answer with it) at ip (10.244.0.0/16). */
        public Builder backend(String name, String ip) {
            backends.put(name, ip);
            return this;
        }

        public Topology build() {
            Topology t = new Topology();
            try {
                t.create(backends);
                return t;
            } catch (RuntimeException | Error e) {
                t.close();
                throw e;
            }
        }
    }

    private void create(Map<String, String> backendIps) {
        node = newNs();
        nodePod = new Pod("node", node, NODE_IP, dir);
        in(node, "ip", "link", "set", "lo", "up");
        in(node, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0");
        in(node, "ip", "addr", "add", POD_GATEWAY + "/32", "dev", "lo");

        NetNs ext = newNs();
        String extVeth = veth();
        in(node, "ip", "link", "add", extVeth, "type", "veth", "peer", "name", "eth0", "netns", ext.name());
        in(node, "ip", "addr", "add", NODE_IP + "/24", "dev", extVeth);
        in(node, "ip", "link", "set", extVeth, "up");
        in(ext, "ip", "link", "set", "lo", "up");
        in(ext, "ip", "link", "set", "eth0", "up");
        in(ext, "ip", "addr", "add", EXTERNAL_IP + "/24", "dev", "eth0");
        in(ext, "ip", "addr", "add", EXTERNAL_IP_2 + "/24", "dev", "eth0");
        for (String dst : List.of("10.96.0.0/12", "203.0.113.0/24", "198.51.100.0/24")) {
            in(ext, "ip", "route", "add", dst, "via", NODE_IP);
        }
        // The node's "upstream": the external host (which does not forward), so nothing leaves the test.
        in(node, "ip", "route", "add", "default", "via", EXTERNAL_IP);
        external = new Pod("external", ext, EXTERNAL_IP, dir);

        client = pod("client", CLIENT_IP);
        for (Map.Entry<String, String> b : backendIps.entrySet()) {
            Pod pod = pod(b.getKey(), b.getValue());
            backends.put(b.getKey(), pod);
            startEcho(pod);
        }
        for (Pod pod : backends.values()) {
            awaitListening(pod);
        }
    }

    private Pod pod(String name, String ip) {
        NetNs ns = newNs();
        String v = veth();
        in(node, "ip", "link", "add", v, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        in(node, "ip", "link", "set", v, "up");
        in(node, "ip", "route", "add", ip + "/32", "dev", v, "src", POD_GATEWAY);
        in(ns, "ip", "link", "set", "lo", "up");
        in(ns, "ip", "link", "set", "eth0", "up");
        in(ns, "ip", "addr", "add", ip + "/32", "dev", "eth0");
        in(ns, "ip", "route", "add", POD_GATEWAY, "dev", "eth0");
        in(ns, "ip", "route", "add", "default", "via", POD_GATEWAY, "dev", "eth0");
        return new Pod(name, ns, ip, dir);
    }

    private static List<String> echoPorts() {
        return List.of("tcp:" + TCP_PORT, "udp:" + UDP_PORT);
    }

    private void startEcho(Pod pod) {
        processes.add(BackgroundProcess.start(pod.name() + "-echo",
                EchoServer.command(pod.ns().name(), pod.name(), echoPorts()), dir));
    }

    private void awaitListening(Pod pod) {
        EchoServer.awaitListening(pod.ns().name(), echoPorts());
    }

    private NetNs newNs() {
        NetNs ns = NetNs.create();
        namespaces.add(ns);
        return ns;
    }

    private String veth() {
        return "sv" + id + "v" + (vethCount++);   // <= 15 chars
    }

    private static void in(NetNs ns, String... argv) {
        Exec.checked(Exec.in(ns.name(), List.of(argv)), null, CMD);
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /** Thread.sleep for scenario pacing (callers bound their loops). */
    public static void sleepMillis(long millis) {
        sleep(millis);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The node namespace (where svcproxy and its rules live). */
    public NetNs node() {
        return node;
    }

    /** The node namespace as a {@link Pod}, for running commands and conntrack there. */
    public Pod nodeShell() {
        return nodePod;
    }

    public Pod client() {
        return client;
    }

    public Pod external() {
        return external;
    }

    public Pod backend(String name) {
        Pod p = backends.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no backend " + name);
        }
        return p;
    }

    public Map<String, Pod> backends() {
        return backends;
    }

    /** A per-topology scratch directory (cluster files, process logs). */
    public Path dir() {
        return dir;
    }

    public String id() {
        return id;
    }

    /** Registers a process so close() stops it (SIGTERM, then SIGKILL). */
    public BackgroundProcess track(BackgroundProcess p) {
        processes.add(p);
        return p;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Teardown teardown = new Teardown("topology " + id);
        for (BackgroundProcess p : reversed(processes)) {
            teardown.step(() -> p.stop(Duration.ofSeconds(3)));
        }
        for (NetNs ns : reversed(namespaces)) {
            teardown.step(ns::close);
        }
        teardown.done();
    }
}
