package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Pod;
import io.svcproxy.testing.topology.Probe;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.util.List;

/**
 * What only the daemon can show: drift repair, crash and restart under load, file reload, SIGTERM
 * and cleanup. Reads the daemon's log lines: "sync complete" per sync, "drift repaired" when it
 * repaired, "payload bytes=N".
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "nfacct", "conntrack", "socat", "ss", "sysctl"})
class DaemonScenariosIT {
    private static final String SAVE = "iptables-nft-save";
    private static final String RESTORE = "iptables-nft-restore";
    private static final String WEB = "10.96.1.10";
    private static final String ADDED = "10.96.1.11";

    private Topology topology;
    private Daemon daemon;
    private ClusterFile cluster;

    private void start(TestInfo info, String syncPeriod) {
        System.out.println("[" + info.getDisplayName() + "] starting");
        topology = Topology.builder()
                .backend("a", "10.244.1.11").backend("b", "10.244.1.12").backend("c", "10.244.1.13").build();
        cluster = new ClusterFile(topology.dir()).write(cluster(false));
        daemon = new Daemon(topology, List.of("--iptables-backend", "nft", "--sync-period", syncPeriod,
                "--min-sync-period", "1s"));
        daemon.start(cluster, TrafficScenarios.FLAGS);
    }

    @AfterEach
    void tearDown() {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (topology != null) {
                topology.close();
            }
        }
    }

    private static void figure(String what, Object value) {
        System.out.println("[DaemonScenarios] " + what + ": " + value);
    }

    private String cluster(boolean withAdded) {
        List<ClusterFile.Ep> eps = List.of("a", "b", "c").stream()
                .map(n -> ClusterFile.Ep.local(topology.backend(n).ip())).toList();
        String web = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: traffic}
                spec:
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                """.formatted(WEB);
        String added = """
                apiVersion: v1
                kind: Service
                metadata: {name: added, namespace: traffic}
                spec:
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                """.formatted(ADDED);
        return withAdded
                ? ClusterFile.documents(ClusterFile.node(), web, ClusterFile.slice("traffic", "web", TrafficScenarios.HTTP, eps),
                        added, ClusterFile.slice("traffic", "added", TrafficScenarios.HTTP, eps.subList(0, 1)))
                : ClusterFile.documents(ClusterFile.node(), web, ClusterFile.slice("traffic", "web", TrafficScenarios.HTTP, eps));
    }

    private String save(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(SAVE));
        argv.addAll(List.of(args));
        return Exec.checked(Exec.in(topology.node().name(), argv), null, Duration.ofSeconds(15));
    }

    @Test
    void driftIsRepairedWithinOneSyncPeriod(TestInfo info) {
        start(info, "3s");
        String dnat = save("-t", "nat").lines().filter(l -> l.startsWith("-A KUBE-SEP-") && l.contains("DNAT"))
                .findFirst().orElseThrow();
        Exec.checked(Exec.in(topology.node().name(), List.of(RESTORE, "--noflush")),
                "*nat\n-D" + dnat.substring(2) + "\nCOMMIT\n", Duration.ofSeconds(15));
        long t0 = System.nanoTime();
        assertFalse(save("-t", "nat").contains(dnat), "deleted by hand");
        String line = daemon.awaitLog("drift repaired", Duration.ofSeconds(8));   // sync period 3 s, plus slack
        long ms = (System.nanoTime() - t0) / 1_000_000;
        figure("deleted by hand", dnat);
        figure("repaired after", ms + " ms: " + line);
        assertTrue(save("-t", "nat").lines().anyMatch(dnat::equals), "the rule is back");
        Histogram h = topology.client().tcpMany(WEB, 80, 30, 1);
        figure("traffic after repair", h);
        assertEquals(0, h.failures(), h.toString());
    }

    @Test
    void fileChangeIsPickedUpByTheFileWatchNotByThePeriodicResync(TestInfo info) {
        start(info, "30s");
        Probe before = topology.client().tcp(ADDED, 80, 0.5);
        assertFalse(before.ok(), "not a service yet: " + before);
        int syncsBefore = daemon.syncCount();
        long t0 = System.nanoTime();
        cluster.write(cluster(true));
        Probe p = null;
        int probes = 0;
        for (int i = 0; i < 50; i++) {   // bounded: 50 x (<= 0.5 s + 100 ms)
            probes++;
            p = topology.client().tcp(ADDED, 80, 0.5);
            if (p.ok()) {
                break;
            }
            Topology.sleepMillis(100);
        }
        // A figure for the log only: how fast is the benchmarks' business, not this test's.
        figure("new service reachable after the file changed", (System.nanoTime() - t0) / 1_000_000 + " ms, "
                + probes + " probes (" + p + ")");
        assertTrue(p.ok(), String.valueOf(p));
        // What must have happened, in order: the file watch saw the change and asked for a partial sync
        // (full=false), which wrote the new service's rules; the 30 s periodic full resync was not due,
        // so no sync since the write is a full one, and the first one that wrote anything did it.
        List<String> all = daemon.logLines("sync complete");
        List<String> since = all.subList(syncsBefore, all.size());
        assertFalse(since.isEmpty(), "a sync after the file changed; log:\n" + daemon.log());
        assertTrue(since.stream().allMatch(l -> l.contains("full=false")), "only partial syncs since the write: " + since);
        String writing = since.stream().filter(l -> !l.contains(" writes=0 ")).findFirst()
                .orElseThrow(() -> new AssertionError("no sync since the write wrote anything: " + since));
        assertTrue(writing.matches(".*=\\+[1-9][0-9]*/-[0-9]+ .*"), "it added rules: " + writing);
        assertTrue(save("-t", "nat").contains(ADDED + "/32"), "the new service's rules are in the kernel");
    }

    @Test
    void sigkillAndRestartUnderLoadLosesNoConnectionAndWritesASmallPayload(TestInfo info) {
        start(info, "30s");
        String firstLog = daemon.log();
        int firstPayload = Daemon.firstPayloadBytes(firstLog).orElseThrow(() ->
                new AssertionError("no 'payload bytes=' in the first start's log:\n" + firstLog));
        String before = save();

        // ~20 s at ~20 connections/s, each bounded to 1 s
        BackgroundProcess loop = topology.track(topology.client().tcpLoop(WEB, 80, 400, 1, 0.04));
        Topology.sleepMillis(3000);
        daemon.kill();
        figure("SIGKILLed svcproxy pid", daemon.process().pid());
        Topology.sleepMillis(2000);
        long t0 = System.nanoTime();
        daemon.launch();
        figure("restarted; first sync after", (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertEquals(0, loop.await(Duration.ofSeconds(60)), "client loop ended: " + loop.stderr());
        Histogram h = Pod.results(loop);
        figure("client connections during kill and restart", h);
        assertEquals(400, h.total());
        assertEquals(0, h.failures(), h.toString());

        int secondPayload = Daemon.firstPayloadBytes(daemon.log()).orElseThrow(() ->
                new AssertionError("no 'payload bytes=' after restart:\n" + daemon.log()));
        figure("payload bytes, first start vs restart", firstPayload + " vs " + secondPayload);
        assertTrue(secondPayload * 4 < firstPayload, "restart over existing rules writes a small payload");
        assertEquals(rules(before), rules(save()), "the node converged to the same rules");
    }

    @Test
    void sigtermLeavesRulesAndCleanupRemovesOnlyOurs(TestInfo info) {
        topology = Topology.builder().backend("a", "10.244.1.11").backend("b", "10.244.1.12")
                .backend("c", "10.244.1.13").build();
        String foreign = """
                *filter
                :FOREIGN-FILTER - [0:0]
                -A INPUT -s 192.0.2.7/32 -j FOREIGN-FILTER
                -A FOREIGN-FILTER -p tcp -m tcp --dport 9999 -j ACCEPT
                COMMIT
                *nat
                :FOREIGN-NAT - [0:0]
                -A PREROUTING -d 192.0.2.8/32 -j FOREIGN-NAT
                -A FOREIGN-NAT -p udp -m udp --dport 9998 -j RETURN
                COMMIT
                """;
        Exec.checked(Exec.in(topology.node().name(), List.of(RESTORE, "--noflush")), foreign, Duration.ofSeconds(15));
        List<String> foreignBefore = rules(save());
        cluster = new ClusterFile(topology.dir()).write(cluster(false));
        daemon = new Daemon(topology, List.of("--iptables-backend", "nft", "--sync-period", "30s", "--min-sync-period", "1s"));
        daemon.start(cluster, TrafficScenarios.FLAGS);

        assertEquals(0, daemon.terminate(), "SIGTERM exits 0");
        String afterTerm = save();
        assertTrue(afterTerm.contains(":KUBE-SERVICES") && afterTerm.contains("-j KUBE-SEP-"), "rules stay after SIGTERM");
        Histogram h = topology.client().tcpMany(WEB, 80, 20, 1);
        figure("traffic with the daemon stopped", h);
        assertEquals(0, h.failures(), h.toString());

        {
            var r = Exec.run(SvcproxyJar.command(topology.node().name(), List.of("cleanup", "--iptables-backend", "nft")),
                    "", Duration.ofSeconds(60));
            figure("svcproxy cleanup", "exit " + r.exitCode() + "; " + r.stdout().strip() + " " + r.stderr().strip());
            assertEquals(0, r.exitCode(), r.stderr());
        }
        String after = save();
        figure("after cleanup", "\n" + after.strip());
        // Left on purpose, as kube-proxy's cleanup does: the kubelet's KUBE-FIREWALL localnet guard and its
        // jumps (the kubelet maintains them too), since route_localnet stays 1 and the guard keeps 127/8
        // martians out.
        List<String> kubeLeft = after.lines().filter(l -> l.contains("KUBE-") && !l.contains("KUBE-FIREWALL")).toList();
        assertEquals(List.of(), kubeLeft, "nothing of ours is left (but kubelet's KUBE-FIREWALL guard)");
        List<String> afterForeign = rules(after).stream().filter(l -> !l.contains("KUBE-FIREWALL")).toList();
        assertEquals(foreignBefore, afterForeign, "foreign chains and rules untouched, byte for byte");
        assertTrue(after.contains(":FOREIGN-FILTER - [") && after.contains(":FOREIGN-NAT - ["), after);
    }

    /** The rule lines and user-chain declarations of a save (empty tables and built-in policies aside), in order: what must be byte-identical. */
    private static List<String> rules(String save) {
        return save.lines().filter(l -> l.startsWith("-A ")
                || (l.startsWith(":") && !l.contains(" ACCEPT ") && !l.contains(" DROP "))).toList();
    }
}
