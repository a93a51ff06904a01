package io.svcproxy.it;

import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.KubeObjects;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Packets through the rules of the daemon fed by the Kubernetes API: the packaged jar in a
 * {@link Topology} node namespace with backends a, b, c and a client pod, the API a CRUD mock server
 * behind a relay that can cut it ({@link RelayedApi}). A Service and its EndpointSlice are created,
 * changed and deleted through the API, the API goes away (rules stay, traffic flows; a rule is
 * deleted by hand meanwhile) and comes back with a changed slice (the relist brings a full sync,
 * which repairs that drift). Network programming latency (the slice's
 * {@code endpoints.kubernetes.io/last-change-trigger-time}, set by this test, to the first probe
 * that sees the change) is printed, never asserted.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "nfacct", "conntrack", "socat", "ss", "sysctl"})
class ApiTrafficIT {
    private static final String WEB = "10.96.1.10";
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final int CONNECTIONS = 60;
    /** A batch with no connection to a dropped backend (of 3, equally likely) is a fluke with p = (2/3)^12 < 1%. */
    private static final int BATCH = 12;

    private Topology topology;
    private Daemon daemon;
    private RelayedApi api;

    @AfterEach
    void tearDown() {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            try {
                if (topology != null) {
                    topology.close();
                }
            } finally {
                if (api != null) {
                    api.close();
                }
            }
        }
    }

    private static void figure(String what, Object value) {
        System.out.println("[ApiTraffic] " + what + ": " + value);
    }

    private String ip(String backend) {
        return topology.backend(backend).ip();
    }

    private String[] ips(String... backends) {
        return Arrays.stream(backends).map(this::ip).toArray(String[]::new);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Service traffic/web (ClusterIP WEB, port 80 -> 8080) with the node, in the API's (empty) store. */
    private void createWeb(Instant trigger, String... backends) {
        KubernetesClient admin = api.admin();
        admin.nodes().resource(KubeObjects.node(Topology.NODE_NAME, Topology.NODE_IP)).createOr(o -> o.update());
        admin.services().resource(service("traffic", "web", WEB, 80)).create();
        admin.resource(slice("traffic", "web", "web-1", Topology.TCP_PORT, trigger, ips(backends))).createOr(o -> o.update());
    }

    private String nat() {
        return Exec.checked(Exec.in(topology.node().name(), List.of("iptables-nft-save", "-t", "nat")), null,
                Duration.ofSeconds(15));
    }

    private static String dnat(String ip) {
        return "--to-destination " + ip + ":" + Topology.TCP_PORT;
    }

    private void awaitRules(String what, Predicate<String> ok) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        String nat = "";
        while (System.nanoTime() < deadline) {
            assertTrue(daemon.process().isAlive(), "svcproxy exited; log:\n" + daemon.log());
            nat = nat();
            if (ok.test(nat)) {
                return;
            }
            Topology.sleepMillis(100);
        }
        throw new AssertionError("timed out waiting for " + what + "\nnat:\n" + nat + "\nlog:\n" + daemon.log());
    }

    /**
     * Probes WEB:80 from the client in batches of n until a batch satisfies ok (bounded), then prints the
     * network programming latency: trigger to the end of that batch (so it includes that batch's probes).
     */
    private Histogram awaitTraffic(String step, Instant trigger, int n, double timeout, Predicate<Histogram> ok) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        Histogram h = null;
        while (System.nanoTime() < deadline) {
            assertTrue(daemon.process().isAlive(), "svcproxy exited; log:\n" + daemon.log());
            h = topology.client().tcpMany(WEB, 80, n, timeout);
            if (ok.test(h)) {
                figure("network programming latency (" + step + ")", Duration.between(trigger, Instant.now()).toMillis()
                        + " ms (trigger time to the first probe batch of " + n + " that sees it)");
                return h;
            }
        }
        throw new AssertionError("traffic never showed " + step + "; last: " + h + "\nnat:\n" + nat()
                + "\nlog:\n" + daemon.log());
    }

    /**
     * CONNECTIONS connections: all answered, only by the given backends, each of them at least once.
     * Each may take 3 s: a SYN the kernel retransmits after its 1 s timer (a loaded 2-core machine)
     * is a slow connection, not a failed one; a missing or wrong rule still fails every try.
     */
    private Histogram assertSpread(String what, String... backends) {
        Histogram h = topology.client().tcpMany(WEB, 80, CONNECTIONS, 3);
        figure(what, h);
        assertEquals(0, h.failures(), what + ": " + h);
        int seen = 0;
        for (String b : backends) {
            assertTrue(h.count(b) > 0, b + " got no connection: " + h);
            seen += h.count(b);
        }
        assertEquals(CONNECTIONS, seen, "only " + List.of(backends) + ": " + h);
        return h;
    }

    @Test
    void trafficFollowsTheApiThroughChangesDeletionAndAnOutage() {
        topology = Topology.builder()
                .backend("a", "10.244.1.11").backend("b", "10.244.1.12").backend("c", "10.244.1.13").build();
        api = new RelayedApi();
        api.start();
        topology.track(BackgroundProcess.start("api-socat", api.socatArgv(topology.node().name()), topology.dir()));
        daemon = new Daemon(topology, List.of("--iptables-backend", "nft", "--min-sync-period", "200ms",
                // long: no periodic full sync during the test, so only the relist's full sync repairs drift
                "--sync-period", "10m"));
        daemon.startApi(RelayedApi.MASTER, TrafficScenarios.FLAGS);

        // 1. A Service and its slice appear: connections spread over a, b, c.
        Instant t1 = now();
        createWeb(t1, "a", "b", "c");
        awaitTraffic("create", t1, 1, 0.25, h -> h.failures() == 0);
        assertSpread("created, a b c", "a", "b", "c");

        // 2. The slice drops c: new connections go to a and b only.
        Instant t2 = now();
        api.admin().resource(slice("traffic", "web", "web-1", Topology.TCP_PORT, t2, ips("a", "b"))).update();
        awaitTraffic("drop c", t2, BATCH, 1, h -> h.failures() == 0 && h.count("c") == 0);
        awaitRules("c's rules gone", nat -> !nat.contains(ip("c")));   // no fluke batch: the rules say so too
        assertSpread("c dropped, a b", "a", "b");

        // 3. The Service is deleted: no rule for its IP is left, so nothing answers (routed off the node, lost).
        Instant t3 = now();
        api.admin().services().inNamespace("traffic").withName("web").delete();
        awaitTraffic("delete (from the delete call; seen as a 250 ms timeout)", t3, 1, 0.25, h -> h.failures() == 1);
        awaitRules("web's rules gone", nat -> !nat.contains("traffic/web"));
        Histogram gone = topology.client().tcpMany(WEB, 80, 5, 0.5);
        figure("deleted", gone);
        assertEquals(5, gone.failures(), "no answer once deleted: " + gone);

        // 4. Back with a, b, c; then the API goes away: the rules stay and traffic keeps flowing.
        Instant t4 = now();
        createWeb(t4, "a", "b", "c");
        awaitTraffic("re-create", t4, BATCH, 1, h -> h.failures() == 0 && h.count("c") > 0);
        awaitRules("a b c", nat -> nat.contains(dnat(ip("a"))) && nat.contains(dnat(ip("b")))
                && nat.contains(dnat(ip("c"))));
        api.stop();
        assertSpread("API cut, a b c", "a", "b", "c");
        daemon.awaitLog("unreachable", CONVERGE);
        assertSpread("API unreachable (logged), a b c", "a", "b", "c");

        // Drift during the outage: b's DNAT rule is deleted by hand.
        String bDnat = nat().lines().filter(l -> l.startsWith("-A KUBE-SEP-") && l.contains(dnat(ip("b"))))
                .findFirst().orElseThrow();
        Exec.checked(Exec.in(topology.node().name(), List.of("iptables-nft-restore", "--noflush")),
                "*nat\n-D" + bDnat.substring(2) + "\nCOMMIT\n", Duration.ofSeconds(15));
        figure("deleted by hand during the outage", bDnat);
        int repairsBefore = daemon.logLines("drift repaired").size();

        // 5. The API comes back (empty store) with a changed slice, b and c: the daemon relists, syncs in
        //    full (repairing b's rule) and traffic follows.
        api.start();
        Instant t5 = now();
        createWeb(t5, "b", "c");
        awaitTraffic("after the outage (includes the outage detection)", t5, BATCH, 1,
                // b too: with its DNAT rule missing, b's chain falls through to c's and all goes to c
                h -> h.failures() == 0 && h.count("a") == 0 && h.count("b") > 0);
        awaitRules("b c", nat -> !nat.contains(ip("a")) && nat.lines().anyMatch(bDnat::equals)
                && nat.contains(dnat(ip("c"))));
        figure("reconnect", daemon.awaitLog("reachable again", CONVERGE));
        // The repairing sync's log line can reach the log file after the rules reached the kernel.
        List<String> repairs = daemon.logLines("drift repaired");
        for (int i = 0; i < 100 && repairs.size() <= repairsBefore; i++) {   // bounded: 10 s
            Topology.sleepMillis(100);
            repairs = daemon.logLines("drift repaired");
        }
        assertTrue(repairs.size() > repairsBefore && repairs.get(repairs.size() - 1).contains("full=true"),
                "the relist's full sync repaired the drift; log:\n" + daemon.log());
        figure("repair after the outage", repairs.get(repairs.size() - 1));
        assertSpread("after the outage, b c", "b", "c");
        assertTrue(daemon.process().isAlive(), daemon.log());
    }
}
