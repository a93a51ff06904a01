package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fault tests of the daemon (issue "Reliability and security"): churn under load, SIGKILL anywhere,
 * iptables-restore failing, external tampering, coexistence with foreign rules. Each prints its
 * figures as "[FaultScenarios.test] what: value". The CI ("fast") profile runs in {@code make test};
 * {@code SVCPROXY_SOAK=1} (or {@code -Dsvcproxy.soak=true}; {@code make soak}) scales counts and
 * durations up. Every wait is bounded; no assertion is about wall-clock time.
 */
@KernelTest(tools = {"iptables-nft", "iptables-nft-save", "iptables-nft-restore", "nfacct", "conntrack", "socat", "ss",
        "sysctl", "curl"})
class FaultScenariosIT extends FaultFixture {
    static final boolean SOAK = "1".equals(System.getenv("SVCPROXY_SOAK")) || Boolean.getBoolean("svcproxy.soak");
    private static final String PROFILE = SOAK ? "soak" : "fast";
    private static final String SAVE = "iptables-nft-save";
    private static final String RESTORE = "iptables-nft-restore";
    private static final String IPTABLES = "iptables-nft";
    private static final String WEB = "10.96.1.10";
    private static final String FRONT = "10.96.1.20";
    private static final String ADDED = "10.96.1.11";
    private static final int NODE_PORT = 30080;

    FaultScenariosIT() {
        super(List.of("--iptables-backend", "nft"), 4);
    }

    @BeforeEach
    void printProfile() {
        figure("profile", PROFILE);
    }

    // ---------------------------------------------------------------- the cluster the tests write

    enum State { READY, TERMINATING }

    /** What the cluster file holds: web (ClusterIP) and front (NodePort) endpoints, service tweaks, bulk services. */
    static final class Desired {
        final Map<String, State> web = new TreeMap<>();
        final Map<String, State> front = new TreeMap<>();
        boolean webAffinity;
        boolean frontSecondPort;
        boolean added;
        int bulkFrom;
        int bulkCount;

        Desired copy() {
            Desired d = new Desired();
            d.web.putAll(web);
            d.front.putAll(front);
            d.webAffinity = webAffinity;
            d.frontSecondPort = frontSecondPort;
            d.added = added;
            d.bulkFrom = bulkFrom;
            d.bulkCount = bulkCount;
            return d;
        }
    }

    static Desired allReady() {
        Desired d = new Desired();
        for (String b : List.of("a", "b", "c")) {
            d.web.put(b, State.READY);
            d.front.put(b, State.READY);
        }
        return d;
    }

    private String yaml(Desired d) {
        List<String> docs = new ArrayList<>();
        docs.add(ClusterFile.node());
        docs.add("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: traffic}
                spec:
                  clusterIP: %s
                %s  ports:
                  - {name: http, port: 80, protocol: TCP}
                """.formatted(WEB, d.webAffinity
                ? "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 30}}\n" : ""));
        docs.add(slice("web", d.web, List.of("http:8080")));
        docs.add("""
                apiVersion: v1
                kind: Service
                metadata: {name: front, namespace: traffic}
                spec:
                  type: NodePort
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP, nodePort: %d}
                %s""".formatted(FRONT, NODE_PORT, d.frontSecondPort
                ? "  - {name: alt, port: 81, protocol: TCP, nodePort: 30081}\n" : ""));
        docs.add(slice("front", d.front, d.frontSecondPort ? List.of("http:8080", "alt:8080") : List.of("http:8080")));
        if (d.added) {
            docs.add("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: added, namespace: traffic}
                    spec:
                      clusterIP: %s
                      ports:
                      - {name: http, port: 80, protocol: TCP}
                    """.formatted(ADDED));
            docs.add(slice("added", Map.of("a", State.READY), List.of("http:8080")));
        }
        for (int i = d.bulkFrom; i < d.bulkFrom + d.bulkCount; i++) {
            docs.add("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: bulk-%d, namespace: bulk}
                    spec:
                      clusterIP: 10.97.%d.%d
                      ports:
                      - {name: http, port: 80, protocol: TCP}
                    """.formatted(i, i / 250, i % 250 + 1));
            docs.add(sliceIn("bulk", "bulk-" + i, Map.of("a", State.READY, "b", State.READY), List.of("http:8080")));
        }
        return ClusterFile.documents(docs.toArray(String[]::new));
    }

    private String slice(String svc, Map<String, State> eps, List<String> ports) {
        return sliceIn("traffic", svc, eps, ports);
    }

    /** An EndpointSlice; a terminating endpoint is what Kubernetes shows first: ready=false, serving=true, terminating=true. */
    private String sliceIn(String ns, String svc, Map<String, State> eps, List<String> ports) {
        StringBuilder b = new StringBuilder("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: %s, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports:
                """.formatted(svc, ns, svc));
        for (String p : ports) {
            String[] f = p.split(":");
            b.append("- {name: ").append(f[0]).append(", port: ").append(f[1]).append(", protocol: TCP}\n");
        }
        b.append(eps.isEmpty() ? "endpoints: []\n" : "endpoints:\n");
        for (Map.Entry<String, State> e : eps.entrySet()) {
            boolean ready = e.getValue() == State.READY;
            b.append("- {addresses: [").append(topology.backend(e.getKey()).ip()).append("], nodeName: ")
                    .append(Topology.NODE_NAME).append(", conditions: {ready: ").append(ready)
                    .append(", serving: true, terminating: ").append(!ready).append("}}\n");
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- helpers

    private String save(String... args) {
        List<String> argv = new ArrayList<>(List.of(SAVE));
        argv.addAll(List.of(args));
        return inNode(null, argv);
    }

    private void iptables(String... args) {
        List<String> argv = new ArrayList<>(List.of(IPTABLES, "-w", "10"));
        argv.addAll(List.of(args));
        inNode(null, argv);
    }

    /**
     * The rules and user-chain declarations of a save, each prefixed with its table, built-in policy
     * lines (their counters move) left out: what "byte-identical" compares.
     */
    static List<String> rules(String save) {
        List<String> out = new ArrayList<>();
        String table = "?";
        for (String l : save.lines().toList()) {
            if (l.startsWith("*")) {
                table = l.substring(1);
            } else if (l.startsWith("-A ") || (l.startsWith(":") && !l.contains(" ACCEPT ") && !l.contains(" DROP "))) {
                out.add(table + " " + l);
            }
        }
        return out;
    }

    static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    static List<String> foreign(String save) {
        return rules(save).stream().filter(l -> !l.contains("KUBE-")).toList();
    }

    private List<String> ours() {
        return sorted(rules(save()).stream().filter(l -> l.contains("KUBE-")).toList());
    }

    private static Path script(Path dir, String file, String text) {
        try {
            Path p = dir.resolve(file);
            Files.writeString(p, text);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- 1. churn under load

    @Test
    void churnUnderLoadLosesNoConnectionToAServiceThatAlwaysHadAReadyEndpoint(TestInfo info) {
        Desired d = allReady();
        cluster.write(yaml(d));
        newDaemon("10s").start(cluster, TrafficScenarios.FLAGS);

        int n = SOAK ? 3000 : 300;
        int maxChanges = SOAK ? 400 : 40;
        BackgroundProcess clusterIp = clientLoop(topology.client(), WEB, 80, n);
        BackgroundProcess nodePort = clientLoop(topology.external(), Topology.NODE_IP, NODE_PORT, n);
        Map<String, Integer> kinds = new TreeMap<>();
        List<String> pool = List.of("a", "b", "c", "d");
        int changes = 0;
        long t0 = System.nanoTime();
        while (changes < maxChanges && (clusterIp.isAlive() || nodePort.isAlive())) {
            Map<String, State> eps = random.nextBoolean() ? d.web : d.front;
            String kind;
            List<String> terminating = eps.entrySet().stream().filter(e -> e.getValue() == State.TERMINATING)
                    .map(Map.Entry::getKey).toList();
            List<String> ready = eps.entrySet().stream().filter(e -> e.getValue() == State.READY)
                    .map(Map.Entry::getKey).toList();
            List<String> absent = pool.stream().filter(b -> !eps.containsKey(b)).toList();
            int r = random.nextInt(10);
            if (!terminating.isEmpty() && r < 4) {
                eps.remove(terminating.get(random.nextInt(terminating.size())));   // terminated: gone from the slice
                kind = "endpoint removed (after terminating)";
            } else if (ready.size() >= 2 && r < 6) {
                eps.put(ready.get(random.nextInt(ready.size())), State.TERMINATING);
                kind = "endpoint terminating (ready=false serving=true)";
            } else if (!absent.isEmpty() && r < 8) {
                eps.put(absent.get(random.nextInt(absent.size())), State.READY);
                kind = "endpoint added";
            } else if (random.nextBoolean()) {
                d.webAffinity = !d.webAffinity;
                kind = "service updated (web session affinity)";
            } else {
                d.frontSecondPort = !d.frontSecondPort;
                kind = "service updated (front second port)";
            }
            assertTrue(d.web.containsValue(State.READY) && d.front.containsValue(State.READY), "always a ready endpoint");
            daemon.update(() -> cluster.write(yaml(d)));
            kinds.merge(kind, 1, Integer::sum);
            changes++;
            Topology.sleepMillis(200 + random.nextInt(400));
        }
        long churnMs = ms(t0);
        Histogram hc = finish(clusterIp, n);
        Histogram hn = finish(nodePort, n);
        figure("changes applied (each awaited to a sync)", changes + " in " + churnMs + " ms: " + kinds);
        figure("syncs", daemon.syncCount());
        figure("ClusterIP " + WEB + ":80 from a pod: attempted/failed", hc.total() + "/" + hc.failures() + " (" + hc + ")");
        figure("NodePort " + Topology.NODE_IP + ":" + NODE_PORT + " from outside: attempted/failed",
                hn.total() + "/" + hn.failures() + " (" + hn + ")");
        assertEquals(0, hc.failures(), hc.toString());
        assertEquals(0, hn.failures(), hn.toString());
        assertConverged("after churn");
    }

    // ---------------------------------------------------------------- 2. crash anywhere

    @Test
    void sigkillAnywhereConvergesWithoutAFlushOrALostConnection(TestInfo info) {
        int rounds = SOAK ? 20 : 5;
        int bulk = SOAK ? 600 : 300;
        Desired[] variants = new Desired[2];
        for (int v = 0; v < 2; v++) {
            variants[v] = allReady();
            variants[v].bulkFrom = v * bulk;
            variants[v].bulkCount = bulk;
        }
        cluster.write(yaml(variants[0]));
        newDaemon("30s", "--iptables-batch-services", "20");
        long t0 = System.nanoTime();
        daemon.start(cluster, TrafficScenarios.FLAGS);
        long firstSyncMs = ms(t0);
        figure("first start with " + (bulk + 2) + " services: up to the first sync", firstSyncMs + " ms; "
                + daemon.logLines("sync complete").get(0).replaceAll(".*sync complete", "sync complete"));
        Map<Integer, List<String>> baseline = new TreeMap<>();
        baseline.put(0, ours());

        int killsDuringRestore = 0;
        int kills = 0;
        int attempted = 0;
        for (int round = 1; round <= rounds; round++) {
            int v = round % 2;
            int n = 150;
            BackgroundProcess loop = clientLoop(topology.client(), WEB, 80, n);
            // a) the running daemon starts a large sync (remove one bulk set, add the other): kill it once its
            //    iptables-restore child is running, at once or a random 0-150 ms later (mid-payload, between batches)
            // (when the file change is not seen within 10 s the kill lands wherever it is then)
            cluster.write(yaml(variants[v]));
            long t2 = System.nanoTime();
            while (!restoreRunning() && ms(t2) < 10_000) {
                Topology.sleepMillis(5);
            }
            if (random.nextBoolean()) {
                Topology.sleepMillis(random.nextInt(150));   // else at once: inside that restore
            }
            long delay1 = ms(t2);
            boolean inRestore1 = restoreRunning();
            daemon.kill();
            kills++;
            // b) restart, and kill again a random delay after start (during JVM start-up, the kernel read or the first restore)
            daemon.spawn();
            long delay2 = random.nextInt((int) Math.max(1000, firstSyncMs * 12 / 10));
            Topology.sleepMillis(delay2);
            boolean inRestore2 = restoreRunning();
            boolean synced2 = daemon.syncCount() > 0;
            daemon.kill();
            kills++;
            killsDuringRestore += (inRestore1 ? 1 : 0) + (inRestore2 ? 1 : 0);
            // c) restart for good: converges to the desired state
            long t1 = System.nanoTime();
            daemon.launch();
            long restartMs = ms(t1);
            String syncLine = daemon.logLines("sync complete").get(0).replaceAll(".*sync complete", "sync complete");
            Histogram h = finish(loop, n);
            attempted += h.total();
            assertConverged("round " + round);
            List<String> now = ours();
            baseline.putIfAbsent(v, now);
            figure("round " + round, "kill 1 at +" + delay1 + " ms after the file change, once a restore ran (restore running: " + inRestore1
                    + "), kill 2 at +" + delay2 + " ms after start (restore running: " + inRestore2 + ", had synced: "
                    + synced2 + "); restart to first sync " + restartMs + " ms: " + syncLine + "; " + our(now)
                    + "; connections attempted/failed " + h.total() + "/" + h.failures());
            assertEquals(0, h.failures(), "round " + round + ": " + h);
            assertEquals(baseline.get(v), now, "round " + round + ": the same rules as the last time this state was converged");
            assertTrue(now.stream().anyMatch(l -> l.contains("-d " + WEB + "/32")), "web's rules are there");
        }
        figure("SIGKILLs", kills + " (" + killsDuringRestore + " while an iptables-restore child was running)");
        figure("client connections attempted/failed over all rounds", attempted + "/0");
    }

    private static String our(List<String> rules) {
        return rules.size() + " rule/chain lines of ours";
    }

    /** Whether the daemon has an iptables-restore child right now (the kill then lands during a restore). */
    private boolean restoreRunning() {
        // iptables-nft-restore is xtables-nft-multi: tell it by its arguments (only restores get --noflush)
        return ProcessHandle.of(daemon.process().pid()).map(p -> p.descendants()
                .anyMatch(c -> c.info().arguments().map(a -> List.of(a).contains("--noflush")).orElse(false)))
                .orElse(false);
    }

    // ---------------------------------------------------------------- 3. iptables-restore failing

    @Test
    void failingRestoreIsRetriedCountedReportedAndNeverHalfApplied(TestInfo info) {
        Path wrappers = topology.dir().resolve("restore-wrappers");
        Path flag = topology.dir().resolve("refuse-restore");
        try {
            Files.createDirectories(wrappers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Test scaffolding (the daemon itself never runs a shell): while the flag file exists, the real
        // iptables-restore gets the daemon's whole payload plus one bad rule before every COMMIT, so the
        // kernel refuses each table's transaction: a real refusal, after part of the payload was parsed.
        for (String tool : List.of("iptables-nft-restore", "ip6tables-nft-restore")) {
            script(wrappers, tool, """
                    #!/bin/bash
                    real=/usr/sbin/%s
                    if [ -e '%s' ]; then
                      sed 's/^COMMIT$/-A KUBE-SERVICES -j SVCPROXY-TEST-NO-SUCH-CHAIN\\nCOMMIT/' | "$real" "$@"
                      exit $?
                    fi
                    exec "$real" "$@"
                    """.formatted(tool, flag));
        }
        Desired old = allReady();
        cluster.write(yaml(old));
        newDaemon("2s");   // health timeout 2 x 2 s; backoff 1 s, 2 s, 2 s, ...
        daemon.commandPrefix(List.of("env", "PATH=" + wrappers + ":" + System.getenv("PATH")));
        daemon.start(cluster, TrafficScenarios.FLAGS);
        String failuresMetric = "kubeproxy_sync_proxy_rules_iptables_restore_failures_total";
        double failures0 = metric(failuresMetric);
        int health0 = healthz();
        figure("before: " + failuresMetric + ", /healthz", failures0 + ", " + health0);
        assertEquals(0.0, failures0);
        assertEquals(200, health0);
        List<String> oldRules = ours();

        int n = SOAK ? 600 : 200;
        BackgroundProcess loop = clientLoop(topology.client(), WEB, 80, n);
        try {
            Files.writeString(flag, "refuse\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Desired next = old.copy();
        next.added = true;
        next.webAffinity = true;   // web's chain is rewritten: a half-applied payload would show
        long t0 = System.nanoTime();
        cluster.write(yaml(next));
        List<List<String>> samples = new ArrayList<>();
        long unhealthyMs = -1;
        double failures = 0;
        long holdMs = SOAK ? 30_000 : 0;   // soak: stay broken for a while longer
        for (int i = 0; i < 300; i++) {   // bounded: 300 x (a save, two fetches, 200 ms)
            samples.add(ours());
            failures = metric(failuresMetric);
            if (unhealthyMs < 0 && healthz() == 503) {
                unhealthyMs = ms(t0);
            }
            if (unhealthyMs >= 0 && failures >= 3 && ms(t0) >= holdMs) {
                break;
            }
            Topology.sleepMillis(200);
        }
        long brokenMs = ms(t0);
        figure("restores refused", failures + " counted after " + brokenMs + " ms ("
                + daemon.logLines("sync failed (attempt").size() + " 'sync failed' log lines; last: "
                + lastOf(daemon.logLines("sync failed (attempt")) + ")");
        figure("/healthz turned 503 after", unhealthyMs + " ms (health timeout 4 s)");
        assertTrue(failures >= 3, "the failures counter grows: " + failures);
        assertTrue(unhealthyMs >= 0, "/healthz turned 503 while changes could not be applied");
        int whileBroken = samples.size();
        for (List<String> s : samples) {
            assertEquals(oldRules, s, "while every restore is refused, the kernel keeps the old ruleset exactly");
        }

        try {
            Files.delete(flag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long t1 = System.nanoTime();
        long healthyMs = -1;
        for (int i = 0; i < 300 && healthyMs < 0; i++) {   // bounded
            samples.add(ours());
            if (healthz() == 200) {
                healthyMs = ms(t1);
            }
            Topology.sleepMillis(200);
        }
        figure("/healthz 200 again after the restores were let through", healthyMs + " ms");
        assertTrue(healthyMs >= 0, "healthy again after recovery");
        daemon.awaitLog("sync complete", Duration.ofSeconds(30));
        assertConverged("after recovery");
        List<String> newRules = ours();
        samples.add(newRules);
        int oldCount = 0;
        int newCount = 0;
        for (List<String> s : samples) {
            assertTrue(s.equals(oldRules) || s.equals(newRules), "a sample is neither the old nor the new ruleset: " + s);
            if (s.equals(oldRules)) {
                oldCount++;
            } else {
                newCount++;
            }
        }
        figure("iptables-save samples", samples.size() + " (" + whileBroken + " while broken): " + oldCount
                + " old ruleset, " + newCount + " new ruleset, 0 other");
        assertFalse(oldRules.equals(newRules));
        assertTrue(topology.client().tcp(ADDED, 80, 2).ok(), "the change is applied after recovery");
        Histogram h = finish(loop, n);
        figure("client connections to web meanwhile: attempted/failed", h.total() + "/" + h.failures() + " (" + h + ")");
        assertEquals(0, h.failures(), h.toString());
        figure("after: " + failuresMetric, metric(failuresMetric));
    }

    private static String lastOf(List<String> lines) {
        return lines.isEmpty() ? "none" : lines.get(lines.size() - 1).replaceAll(".*sync failed", "sync failed");
    }

    // ---------------------------------------------------------------- 4. external tampering

    private static final String FOREIGN_ELSEWHERE = """
            *filter
            :FOREIGN-FILTER - [0:0]
            -A INPUT -s 192.0.2.7/32 -j FOREIGN-FILTER
            -A FORWARD -s 198.18.0.0/15 -j DROP
            -A FOREIGN-FILTER -p tcp -m tcp --dport 9999 -j ACCEPT
            COMMIT
            *mangle
            :FOREIGN-MANGLE - [0:0]
            -A PREROUTING -d 192.0.2.9/32 -j FOREIGN-MANGLE
            -A FOREIGN-MANGLE -j MARK --set-xmark 0x100/0x100
            COMMIT
            """;

    @Test
    void tamperingIsDetectedAndRepairedAndForeignRulesElsewhereAreUntouched(TestInfo info) {
        inNode(FOREIGN_ELSEWHERE, List.of(RESTORE, "--noflush"));
        cluster.write(yaml(allReady()));
        newDaemon("4s").start(cluster, TrafficScenarios.FLAGS);
        List<String> desired = ours();
        List<String> foreignBefore = foreign(save());
        String svcChain = save("-t", "nat").lines()
                .filter(l -> l.startsWith("-A KUBE-SERVICES -d " + WEB + "/32") && l.contains("-j KUBE-SVC-"))
                .findFirst().orElseThrow().replaceAll(".*-j (KUBE-SVC-\\S+).*", "$1");

        Map<String, Runnable> tampering = new LinkedHashMap<>();
        tampering.put("rules inserted into our chains (nat KUBE-SERVICES, filter KUBE-FORWARD)", () -> {
            iptables("-t", "nat", "-I", "KUBE-SERVICES", "1", "-d", WEB + "/32", "-p", "tcp", "-m", "tcp", "--dport",
                    "80", "-j", "RETURN");
            iptables("-t", "filter", "-I", "KUBE-FORWARD", "1", "-s", "192.0.2.66/32", "-j", "ACCEPT");
        });
        tampering.put("one of our chains deleted (" + svcChain + " and its jump)", () -> {
            String jump = save("-t", "nat").lines().filter(l -> l.startsWith("-A KUBE-SERVICES") && l.endsWith("-j " + svcChain))
                    .findFirst().orElseThrow();
            inNode("*nat\n-D" + jump.substring(2) + "\n-F " + svcChain + "\n-X " + svcChain + "\nCOMMIT\n",
                    List.of(RESTORE, "--noflush"));
        });
        tampering.put("canary chain deleted (mangle KUBE-PROXY-CANARY)", () -> {
            iptables("-t", "mangle", "-F", "KUBE-PROXY-CANARY");
            iptables("-t", "mangle", "-X", "KUBE-PROXY-CANARY");
        });
        tampering.put("nat table flushed and its chains deleted (iptables -t nat -F; -X)", () -> {
            iptables("-t", "nat", "-F");
            iptables("-t", "nat", "-X");
        });
        int repairs = 0;
        for (Map.Entry<String, Runnable> t : tampering.entrySet()) {
            int driftLines = daemon.logLines("drift repaired").size();
            int canaryLines = daemon.logLines("canary chain KUBE-PROXY-CANARY is gone").size();
            t.getValue().run();
            long t0 = System.nanoTime();
            assertFalse(desired.equals(ours()), "tampered: " + t.getKey());
            boolean repaired = false;
            for (int i = 0; i < 600 && !repaired; i++) {   // bounded: 600 x (a save + 100 ms)
                repaired = desired.equals(ours());
                if (!repaired) {
                    Topology.sleepMillis(100);
                }
            }
            long took = ms(t0);
            for (int i = 0; i < 50 && daemon.logLines("drift repaired").size() == driftLines; i++) {
                Topology.sleepMillis(100);   // the sync's log line follows its restore (bounded: 5 s)
            }
            boolean viaCanary = daemon.logLines("canary chain KUBE-PROXY-CANARY is gone").size() > canaryLines;
            String drift = lastOf(daemon.logLines("drift repaired").subList(driftLines, daemon.logLines("drift repaired").size()));
            figure(t.getKey(), (repaired ? "repaired after " + took + " ms" : "NOT repaired within " + took + " ms")
                    + (viaCanary ? " (canary)" : " (periodic full sync)") + "; daemon: "
                    + drift.replaceAll(".*(drift repaired=\\d+).*", "$1"));
            assertTrue(repaired, t.getKey() + ": our rules are back to the desired state");
            repairs++;
            assertEquals(foreignBefore, foreign(save()), t.getKey() + ": foreign chains and rules elsewhere untouched");
            Histogram h = topology.client().tcpMany(WEB, 80, 10, 2);
            assertEquals(0, h.failures(), t.getKey() + ": traffic after repair: " + h);
        }
        figure("tamperings repaired", repairs + "/" + tampering.size() + "; foreign lines untouched: " + foreignBefore.size());
        assertConverged("after tampering");
    }

    // ---------------------------------------------------------------- 5. coexistence

    static final String FOREIGN = """
            *filter
            :DOCKER - [0:0]
            :DOCKER-ISOLATION-STAGE-1 - [0:0]
            :DOCKER-ISOLATION-STAGE-2 - [0:0]
            :DOCKER-USER - [0:0]
            :CNI-FORWARD - [0:0]
            :CNI-ADMIN - [0:0]
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A FORWARD -j DOCKER-USER
            -A FORWARD -j DOCKER-ISOLATION-STAGE-1
            -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -o docker0 -j DOCKER
            -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
            -A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
            -A FORWARD -s 198.18.0.0/15 -m comment --comment "user: \\"quarantine\\" net" -j DROP
            -A OUTPUT -d 192.0.2.200/32 -p udp -m udp --dport 514 -j ACCEPT
            -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
            -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
            -A DOCKER-ISOLATION-STAGE-1 -j RETURN
            -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
            -A DOCKER-ISOLATION-STAGE-2 -j RETURN
            -A DOCKER-USER -j RETURN
            -A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
            -A CNI-FORWARD -d 10.88.0.0/16 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            *nat
            :DOCKER - [0:0]
            :CNI-HOSTPORT-DNAT - [0:0]
            :CNI-0123456789abcdef01234567 - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
            -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            -A POSTROUTING -s 10.88.0.0/16 -m comment --comment "name: podman id: 0123456789abcdef" -j CNI-0123456789abcdef01234567
            -A DOCKER -i docker0 -j RETURN
            -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8088 -j DNAT --to-destination 172.17.0.2:80
            -A CNI-0123456789abcdef01234567 -d 10.88.0.0/16 -j ACCEPT
            -A CNI-0123456789abcdef01234567 ! -d 224.0.0.0/4 -j MASQUERADE
            COMMIT
            *mangle
            :CNI-MANGLE - [0:0]
            -A POSTROUTING -o cni0 -j CNI-MANGLE
            -A CNI-MANGLE -p udp -m udp --dport 4789 -j MARK --set-xmark 0x4000/0x4000
            COMMIT
            """;

    @Test
    void foreignChainsAndRulesAreByteIdenticalAfterManySyncsAndACleanup(TestInfo info) {
        inNode(FOREIGN, List.of(RESTORE, "--noflush"));
        List<String> before = foreign(save());
        figure("foreign lines (rules and chains) installed", before.size());
        Desired d = allReady();
        cluster.write(yaml(d));
        newDaemon("2s").start(cluster, TrafficScenarios.FLAGS);

        int changes = SOAK ? 300 : 30;
        for (int i = 0; i < changes; i++) {
            switch (i % 5) {
                case 0 -> d.bulkCount = 1 + random.nextInt(20);
                case 1 -> d.webAffinity = !d.webAffinity;
                case 2 -> d.frontSecondPort = !d.frontSecondPort;
                case 3 -> d.added = !d.added;
                default -> {
                    if (d.web.containsKey("d")) {
                        d.web.remove("d");
                    } else {
                        d.web.put("d", State.READY);
                    }
                }
            }
            daemon.update(() -> cluster.write(yaml(d)));
            if (i % 10 == 9) {
                assertEquals(before, foreign(save()), "after change " + (i + 1));
            }
        }
        Topology.sleepMillis(2500);   // at least one more periodic full sync (kernel read, drift check)
        int syncs = daemon.syncCount();
        long full = daemon.logLines("sync complete").stream().filter(l -> l.contains("full=true")).count();
        List<String> afterSyncs = foreign(save());
        figure("file changes / syncs (full syncs)", changes + " / " + syncs + " (" + full + ")");
        assertEquals(before, afterSyncs, "foreign chains and rules byte-identical after " + syncs + " syncs");
        assertEquals(0, daemon.logLines("drift repaired").size(), "nothing foreign was taken for drift");
        Histogram h = topology.client().tcpMany(WEB, 80, 10, 2);
        assertEquals(0, h.failures(), h.toString());

        assertEquals(0, daemon.terminate(), "SIGTERM exits 0");
        NetNs.Result r = Exec.run(SvcproxyJar.command(topology.node().name(), List.of("cleanup", "--iptables-backend", "nft")),
                "", Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), r.stderr());
        String after = save();
        List<String> leftOfOurs = rules(after).stream().filter(l -> l.contains("KUBE-") && !l.contains("KUBE-FIREWALL")).toList();
        figure("after cleanup", "foreign lines identical: " + before.equals(foreign(after)) + "; ours left (but kubelet's "
                + "KUBE-FIREWALL): " + leftOfOurs.size());
        assertEquals(List.of(), leftOfOurs);
        assertEquals(before, foreign(after), "foreign chains and rules byte-identical after cleanup");
    }
}
