package io.svcproxy.it;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.ClusterFile.Ep;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nftables mode under faults, with the daemon in a node namespace and a client sending connections:
 * SIGKILL at random points converges on restart with no flush and no failed connection; our
 * objects tampered with (an element deleted, a chain flushed, the table deleted) are repaired;
 * foreign tables are byte-identical after many syncs and after cleanup.
 */
@KernelTest(tools = {"nft", "conntrack", "socat", "ss", "sysctl"})
class NftFaultScenariosIT extends FaultFixture {
    private static final String WEB = "10.96.1.10";
    /** A firewall's own table, a nat table of iptables-nft, and a user's inet table: none of them ours. */
    private static final String FOREIGN = """
            table inet firewall {
            \tset allowed { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }
            \tchain input { type filter hook input priority 10; policy accept; ip saddr @allowed counter accept; }
            }
            table ip user-nat {
            \tchain post { type nat hook postrouting priority 150; policy accept; ip saddr 198.51.100.0/24 masquerade; }
            }
            """;

    NftFaultScenariosIT() {
        super(List.of("--proxy-mode", "nftables"), 3);
    }

    /** web (ClusterIP, 3 backends) plus {@code bulk} services from index {@code from} (no real backends). */
    private String cluster(int from, int bulk) {
        List<String> docs = new ArrayList<>(List.of(ClusterFile.node(), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: traffic}
                spec:
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                """.formatted(WEB), ClusterFile.slice("traffic", "web", List.of("http:8080/TCP"),
                List.of(Ep.local("10.244.1.11"), Ep.local("10.244.1.12"), Ep.local("10.244.1.13")))));
        for (int i = from; i < from + bulk; i++) {
            docs.add("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: bulk%d, namespace: bulk}
                    spec:
                      clusterIP: 10.96.%d.%d
                      ports:
                      - {name: http, port: 80, protocol: TCP}
                    """.formatted(i, 20 + i / 250, i % 250 + 1));
            docs.add(ClusterFile.slice("bulk", "bulk" + i, List.of("http:8080/TCP"),
                    List.of(Ep.local("10.244.9." + (i % 250 + 1)))));
        }
        return ClusterFile.documents(docs.toArray(new String[0]));
    }

    private String nft(String... args) {
        List<String> argv = new ArrayList<>(List.of("nft"));
        argv.addAll(List.of(args));
        return inNode(null, argv);
    }

    /** Our tables as nft lists them, without handles and the packet path's affinity entries. */
    private String ours() {
        NetNs.Result r = Exec.run(Exec.in(topology.node().name(), List.of("nft", "list", "table", "ip", "kube-proxy")),
                null, CMD);
        return r.exitCode() == 0 ? r.stdout() : "(no table: " + r.stderr().strip() + ")";
    }

    @Test
    void sigkillAnywhereConvergesWithoutAFlushOrALostConnection() {
        int bulk = 300;
        cluster.write(cluster(0, bulk));
        newDaemon("30s").start(cluster, TrafficScenarios.FLAGS);
        int attempted = 0;
        for (int round = 1; round <= 4; round++) {
            int n = 120;
            BackgroundProcess loop = clientLoop(topology.client(), WEB, 80, n);
            // a) a large change (one bulk set of services replaced by another), killed 0-300 ms after the write
            cluster.write(cluster((round % 2) * bulk, bulk));
            int delay1 = random.nextInt(300);
            Topology.sleepMillis(delay1);
            daemon.kill();
            // b) restarted, killed again somewhere in start-up, the kernel read or the first batch
            daemon.spawn();
            int delay2 = 200 + random.nextInt(2500);
            Topology.sleepMillis(delay2);
            daemon.kill();
            assertTrue(ours().contains("table ip kube-proxy"), "round " + round + ": the table is never flushed away");
            // c) restarted for good
            daemon.launch();
            Histogram h = finish(loop, n);
            attempted += h.total();
            assertConverged("round " + round);
            figure("round " + round, "kill 1 at +" + delay1 + " ms after the file change, kill 2 at +" + delay2
                    + " ms after start; then " + daemon.logLines("sync complete").get(0)
                    .replaceAll(".*sync complete", "sync complete") + "; connections attempted/failed " + h.total()
                    + "/" + h.failures());
            assertEquals(0, h.failures(), "round " + round + ": " + h);
        }
        figure("client connections attempted/failed over all rounds", attempted + "/0");
    }

    @Test
    void tamperingIsRepairedAndForeignTablesAreUntouched() {
        inNode(FOREIGN, List.of("nft", "-f", "-"));
        String foreignBefore = foreign();
        cluster.write(cluster(0, 5));
        newDaemon("4s").start(cluster, TrafficScenarios.FLAGS);
        String desired = ours();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(WEB)
                + " \\. tcp \\. 80 : goto (service-[^,\\s}]+)").matcher(desired);
        assertTrue(m.find(), "web's element in service-ips:\n" + desired);
        String serviceChain = m.group(1);
        Map<String, String[]> tampering = new LinkedHashMap<>();
        tampering.put("web's element deleted from the service-ips map", new String[] {"delete", "element", "ip",
            "kube-proxy", "service-ips", "{ " + WEB + " . tcp . 80 }"});
        tampering.put("web's service chain flushed (" + serviceChain + ")", new String[] {"flush", "chain", "ip",
            "kube-proxy", serviceChain});
        tampering.put("our IPv4 table deleted", new String[] {"delete", "table", "ip", "kube-proxy"});
        for (Map.Entry<String, String[]> t : tampering.entrySet()) {
            nft(t.getValue());
            long t0 = System.nanoTime();
            assertNotEquals(desired, ours(), "tampered: " + t.getKey());
            boolean repaired = false;
            for (int i = 0; i < 300 && !repaired; i++) {   // bounded: 300 x (a listing + 100 ms)
                repaired = desired.equals(ours());
                if (!repaired) {
                    Topology.sleepMillis(100);
                }
            }
            figure(t.getKey(), (repaired ? "repaired after " : "NOT repaired within ")
                    + ms(t0) + " ms");
            assertTrue(repaired, t.getKey() + ": our table is back to the plan");
            assertEquals(foreignBefore, foreign(), t.getKey() + ": foreign tables untouched");
            Histogram h = topology.client().tcpMany(WEB, 80, 10, 2);
            assertEquals(0, h.failures(), t.getKey() + ": traffic after repair: " + h);
        }
    }

    @Test
    void foreignTablesAreByteIdenticalAfterManySyncsAndACleanup() {
        inNode(FOREIGN, List.of("nft", "-f", "-"));
        String before = foreign();
        cluster.write(cluster(0, 20));
        newDaemon("2s").start(cluster, TrafficScenarios.FLAGS);
        for (int i = 1; i <= 6; i++) {
            int round = i;
            daemon.update(() -> cluster.write(cluster(round * 3, 20)));
        }
        daemon.awaitSyncs(daemon.syncCount() + 2, Duration.ofSeconds(30));   // full syncs too (period 2 s)
        assertEquals(before, foreign(), "foreign tables after syncs");
        daemon.close();
        daemon = null;
        NetNs.Result r = Exec.run(SvcproxyJar.command(topology.node().name(), List.of("cleanup")), "", CMD);
        assertEquals(0, r.exitCode(), r.stderr());
        figure("cleanup", r.stdout().strip().replace('\n', ';'));
        assertFalse(nft("list", "tables").contains("kube-proxy"), "our tables are gone");
        assertEquals(before, foreign(), "foreign tables after cleanup");
    }

    /** Everything but our two tables, as nft lists it (counters zeroed: packets move them). */
    private String foreign() {
        StringBuilder sb = new StringBuilder();
        for (String table : nft("list", "tables").lines().toList()) {
            if (table.endsWith(" kube-proxy")) {
                continue;
            }
            String[] parts = table.split(" ");
            sb.append(nft("list", "table", parts[1], parts[2]).replaceAll("counter packets \\d+ bytes \\d+", "counter"));
        }
        return sb.toString();
    }
}
