package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.Teardown;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.EchoServer;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the kube-proxy takeover tests (iptables mode: {@link KubeProxyTakeoverIT}, nftables mode:
 * {@link KubeProxyNftTakeoverIT}) share: the node namespace of the reference set mix-2 (node
 * k8sref-node, 10.250.0.2 on lo), backend namespaces holding the real endpoints of a few of its
 * services (routed veths, one echo server each), a client pod, bounded client loops against their
 * ClusterIPs and NodePorts, the figures printed with a prefix, and the teardown (every process by
 * PID, every namespace, in reverse order, even after a failure).
 */
final class KubeProxyNode implements AutoCloseable {
    static final Path REFERENCE = Path.of("test-fixtures", "reference", "kube-proxy-v1.36.2", "sets", "mix-2");
    static final String NAMESPACE = "mix2";
    static final String NODE_NAME = "k8sref-node";
    static final String NODE_IP = "10.250.0.2";
    static final String CLIENT_IP = "10.244.1.250";
    /** A ClusterIP no object of the set uses, for a service added after the takeover. */
    static final String ADDED = "10.96.250.250";
    /** kube-proxy's command line (run.txt), as svcproxy takes it. */
    static final List<String> FLAGS = List.of("--hostname-override=" + NODE_NAME, "--cluster-cidr=10.244.0.0/16",
            "--conntrack-max-per-core=0", "--metrics-bind-address=127.0.0.1:10249", "--healthz-bind-address=127.0.0.1:10256");
    /** Services whose endpoints are made real: ClusterIP only, NodePort, NodePort with ClientIP affinity. */
    static final List<String> REAL = List.of("s16", "s15", "s11");
    static final Duration CMD = Duration.ofSeconds(30);
    /**
     * Per client loop: at most this many connections (each bounded to 1 s to connect, 5 s idle). socat's
     * {@code -t5}: after stdin's EOF it waits up to 5 s for the answer (its default, 0.5 s, reports an
     * answer later than that on a loaded machine as an empty reply, rc 0, counted as a timeout).
     */
    private static final int MAX_CONNECTIONS = 1500;
    private static final String PROBE_SCRIPT = """
            ip=$1; port=$2; max=$3; stop=$4
            for ((i=0; i<max; i++)); do
              [ -e "$stop" ] && break
              s=$(date +%s%N)
              out=$(socat -T5 -t5 - "TCP:$ip:$port,connect-timeout=1" </dev/null 2>&1); rc=$?
              e=$(date +%s%N)
              out=${out//$'\\n'/ }
              echo "$rc $(( (e-s)/1000000 )) $out"
              sleep 0.05
            done
            """;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String tag;
    private final String id = String.format("%06x", RANDOM.nextInt(1 << 24));
    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<BackgroundProcess> processes = new ArrayList<>();
    private final Path dir;
    private NetNs node;
    private Pod client;
    private int veths;

    /** One Service port and the endpoints of its slices, as the API server returned them. */
    record Target(String service, String clusterIp, int port, int nodePort, int targetPort, List<String> endpoints) {
    }

    /** tag: the figures' prefix ("takeover") and part of the names of what is created. */
    KubeProxyNode(String tag) throws IOException {
        this.tag = tag;
        this.dir = Files.createTempDirectory("svcp-" + tag + "-" + id + "-");
    }

    /** The node namespace (lo up, NODE_IP on lo, forwarding on, rp_filter off), empty of rules. */
    NetNs createNode() {
        node = newNs();
        in(node, "ip", "link", "set", "lo", "up");
        in(node, "ip", "addr", "add", NODE_IP + "/32", "dev", "lo");
        in(node, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0");
        return node;
    }

    NetNs node() {
        return node;
    }

    Pod client() {
        return client;
    }

    Path dir() {
        return dir;
    }

    String id() {
        return id;
    }

    void figure(String what, Object value) {
        System.out.println("[" + tag + "] " + what + ": " + value);
    }

    /**
     * The client pod and one backend namespace (echo server on the target port) per target; then
     * checks that every chosen address answers (the rules kube-proxy left serve them). Returns the
     * addresses the client loops connect to: "SERVICE cluster IP" / "SERVICE node port" -> {ip, port}.
     */
    Map<String, String[]> backendsAndClient(Collection<Target> targets) {
        NetNs clientNs = pod(List.of(CLIENT_IP));
        client = new Pod("client", clientNs, CLIENT_IP, dir);
        for (Target t : targets) {
            NetNs ns = pod(t.endpoints());
            track(BackgroundProcess.start(t.service().replace('/', '-') + "-echo",
                    EchoServer.command(ns.name(), t.service(), List.of("tcp:" + t.targetPort())), dir));
            EchoServer.awaitListening(ns.name(), List.of("tcp:" + t.targetPort()));
        }
        Map<String, String[]> addresses = new LinkedHashMap<>();
        for (Target t : targets) {
            addresses.put(t.service() + " cluster IP", new String[]{t.clusterIp(), String.valueOf(t.port())});
            if (t.nodePort() > 0) {
                addresses.put(t.service() + " node port", new String[]{NODE_IP, String.valueOf(t.nodePort())});
            }
        }
        addresses.forEach((what, a) -> {
            Histogram h = client.tcpMany(a[0], Integer.parseInt(a[1]), 5, 1);
            assertEquals(0, h.failures(), "kube-proxy's rules, " + what + ": " + h);
        });
        figure("services with real endpoints", targets);
        return addresses;
    }

    /** svcproxy run in the node namespace, its processes stopped on teardown. */
    Daemon daemon(List<String> daemonFlags) {
        return new Daemon(node.name(), dir, this::track, daemonFlags);
    }

    /**
     * The objects plus a Service "added" (ClusterIP {@link #ADDED}, port 80) whose two endpoints are
     * s16's backends.
     */
    static String withAddedService(String objects, Target s16) {
        return objects.stripTrailing() + "\n---\n" + ClusterFile.documents("""
                apiVersion: v1
                kind: Service
                metadata: {name: added, namespace: %s}
                spec: {type: ClusterIP, clusterIP: %s, clusterIPs: [%s], ports: [{port: 80, protocol: TCP, targetPort: 80}]}
                """.formatted(NAMESPACE, ADDED, ADDED), ClusterFile.slice(NAMESPACE, "added", List.of(":80/TCP"),
                List.of(ClusterFile.Ep.on("other-1", s16.endpoints().get(0)), ClusterFile.Ep.on("other-2", s16.endpoints().get(1)))));
    }

    /** Prints each loop's histogram and the phase's totals; returns the failed connections. */
    int report(String phase, Map<String, Histogram> results) {
        int total = 0;
        int failed = 0;
        for (Map.Entry<String, Histogram> e : results.entrySet()) {
            figure(phase + ", " + e.getKey(), e.getValue());
            total += e.getValue().total();
            failed += e.getValue().failures();
        }
        figure(phase + ": connections, failed", total + ", " + failed);
        assertTrue(results.values().stream().allMatch(h -> h.total() > 0), phase + ": every loop connected");
        return failed;
    }

    /** The chosen services' first port, its endpoints (every address of its slices) and their port. */
    static Map<String, Target> targets(Path objects) throws IOException {
        JsonNode items = new ObjectMapper(new YAMLFactory()).readTree(objects.toFile()).get("items");
        Map<String, Target> out = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>(List.of(CLIENT_IP));
        for (String name : REAL) {
            JsonNode svc = null;
            List<String> endpoints = new ArrayList<>();
            int targetPort = -1;
            for (JsonNode item : items) {
                JsonNode meta = item.get("metadata");
                if (!NAMESPACE.equals(meta.path("namespace").asText())) {
                    continue;
                }
                if ("Service".equals(item.path("kind").asText()) && name.equals(meta.path("name").asText())) {
                    svc = item;
                } else if ("EndpointSlice".equals(item.path("kind").asText())
                        && name.equals(meta.path("labels").path("kubernetes.io/service-name").asText())) {
                    targetPort = item.path("ports").get(0).path("port").asInt();
                    for (JsonNode ep : item.path("endpoints")) {
                        String ip = ep.path("addresses").get(0).asText();
                        assertTrue(seen.add(ip), "endpoint address used twice: " + ip);
                        endpoints.add(ip);
                    }
                }
            }
            assertTrue(svc != null && !endpoints.isEmpty() && targetPort > 0, "no service with endpoints: " + name);
            JsonNode port = svc.path("spec").path("ports").get(0);
            assertEquals("TCP", port.path("protocol").asText(), name);
            out.put(name, new Target(NAMESPACE + "/" + name, svc.path("spec").path("clusterIP").asText(),
                    port.path("port").asInt(), port.path("nodePort").asInt(0), targetPort, endpoints));
        }
        return out;
    }

    // ------------------------------------------------------------------ namespaces and processes

    private NetNs newNs() {
        NetNs ns = NetNs.create();
        namespaces.add(ns);
        return ns;
    }

    /** A pod namespace holding the given addresses, on a veth routed (one /32 per address) from the node. */
    NetNs pod(List<String> ips) {
        NetNs ns = newNs();
        String v = "tk" + id + "v" + (veths++);   // <= 15 characters
        in(node, "ip", "link", "add", v, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        in(node, "ip", "link", "set", v, "up");
        in(ns, "ip", "link", "set", "lo", "up");
        in(ns, "ip", "link", "set", "eth0", "up");
        for (String ip : ips) {
            in(node, "ip", "route", "add", ip + "/32", "dev", v, "src", NODE_IP);
            in(ns, "ip", "addr", "add", ip + "/32", "dev", "eth0");
        }
        in(ns, "ip", "route", "add", NODE_IP, "dev", "eth0");
        in(ns, "ip", "route", "add", "default", "via", NODE_IP, "dev", "eth0", "src", ips.get(0));
        return ns;
    }

    static void in(NetNs ns, String... argv) {
        Exec.checked(Exec.in(ns.name(), List.of(argv)), null, CMD);
    }

    /** A command in the node namespace, its stdout; fails on a non-zero exit. */
    String onNode(String stdin, String... argv) {
        return Exec.checked(Exec.in(node.name(), List.of(argv)), stdin, CMD);
    }

    BackgroundProcess track(BackgroundProcess p) {
        processes.add(p);
        return p;
    }

    /** Teardown: every process (by PID, newest first), then every namespace; all steps run. */
    @Override
    public void close() {
        Teardown teardown = new Teardown(tag + " " + id);
        List<BackgroundProcess> reversed = new ArrayList<>(processes);
        Collections.reverse(reversed);
        for (BackgroundProcess p : reversed) {
            teardown.step(() -> p.stop(Duration.ofSeconds(5)));
        }
        List<NetNs> ns = new ArrayList<>(namespaces);
        Collections.reverse(ns);
        for (NetNs n : ns) {
            teardown.step(n::close);
        }
        teardown.done();
    }

    /** Client loops started for a phase. */
    Traffic traffic(String phase, Map<String, String[]> addresses) {
        return Traffic.start(this, phase, addresses);
    }

    /** One client loop per address, each bounded in count, stopped by a file. */
    static final class Traffic {
        private final Map<String, BackgroundProcess> loops = new LinkedHashMap<>();
        private final Path stop;

        private Traffic(Path stop) {
            this.stop = stop;
        }

        static Traffic start(KubeProxyNode k, String phase, Map<String, String[]> addresses) {
            Traffic t = new Traffic(k.dir.resolve("stop-" + phase));
            addresses.forEach((what, a) -> t.loops.put(what, k.track(BackgroundProcess.start(phase + "-loop",
                    Exec.in(k.client.ns().name(), List.of("bash", "-c", PROBE_SCRIPT, "probe", a[0], a[1],
                            String.valueOf(MAX_CONNECTIONS), t.stop.toString())), k.dir))));
            return t;
        }

        Map<String, Integer> counts() {
            Map<String, Integer> out = new LinkedHashMap<>();
            loops.forEach((what, p) -> out.put(what, (int) p.stdout().lines().filter(l -> !l.isBlank()).count()));
            return out;
        }

        int total() {
            return counts().values().stream().mapToInt(Integer::intValue).sum();
        }

        /** The most connections any loop made so far. */
        int most() {
            return counts().values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }

        /** Waits (bounded: 60 s) until every loop made at least n connections, or ended. */
        void awaitEach(int n) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (loops.entrySet().stream().allMatch(e -> !e.getValue().isAlive() || counts().get(e.getKey()) >= n)) {
                    return;
                }
                sleep(100);
            }
            throw new AssertionError("client loops too slow: " + counts());
        }

        Map<String, Histogram> stop() {
            try {
                Files.writeString(stop, "stop\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, Histogram> out = new LinkedHashMap<>();
            loops.forEach((what, p) -> {
                assertEquals(0, p.await(Duration.ofSeconds(30)), what + " loop: " + p.stderr());
                out.put(what, Pod.results(p));
            });
            return out;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
