package io.svcproxy.it;

import static io.svcproxy.testing.KubeObjects.PROXY_NAME_LABEL;
import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.slice;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The packaged daemon ({@code svcproxy run --master URL}) in a node namespace, fed by a CRUD mock API
 * server reached through a relay that can cut every connection at once ({@link RelayedApi}): its
 * rules follow the API and stay through an outage. {@link ApiTrafficIT} sends packets through them.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "socat", "nfacct"})
class ApiDaemonIT {
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    private final List<Process> processes = new ArrayList<>();
    private RelayedApi api;
    private KubernetesClient admin;
    private Path daemonLog;

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (api != null) {
            api.close();
        }
    }

    private void startApi() {
        api.start();
        admin = api.admin();
    }

    private void stopApi() {
        api.stop();
    }

    private Process spawn(List<String> argv, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    @Test
    void theDaemonFollowsTheApiAndKeepsItsRulesThroughAnOutage() throws Exception {
        api = new RelayedApi();
        daemonLog = Files.createTempFile("svcproxy-run", ".log");
        startApi();
        try (NetNs ns = NetNs.create()) {
            ns.runChecked("ip", "link", "set", "lo", "up");
            spawn(api.socatArgv(ns.name()), null);
            Process daemon = spawn(SvcproxyJar.command(ns, "run", "--master", RelayedApi.MASTER,
                    "--hostname-override", "node-a", "--cluster-cidr", "10.244.0.0/16", "--iptables-backend", "nft",
                    "--min-sync-period", "200ms", "--sync-period", "30s"), daemonLog);

            // A service and its endpoints appear.
            Instant t1 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
            admin.services().resource(service("default", "other", "10.96.0.11", 80,
                    Map.of(PROXY_NAME_LABEL, "another-proxy"))).create();
            admin.resource(slice("default", "other", "other-1", 8080, null, "10.244.2.5")).create();
            admin.resource(slice("default", "web", "web-1", 8080, t1, "10.244.1.5")).create();
            String rules = awaitRules(ns, daemon, "web's chain and endpoint",
                    r -> r.contains("default/web:http cluster IP") && r.contains("--to-destination 10.244.1.5:8080"));
            latency("create", t1);
            assertTrue(rules.lines().anyMatch(l -> l.startsWith(":KUBE-SVC-")), rules);
            assertFalse(rules.contains("default/other"), "a service of another proxy is ignored\n" + rules);
            assertFalse(rules.contains("10.244.2.5"), rules);

            // Its endpoints change.
            Instant t2 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            admin.resource(slice("default", "web", "web-1", 8080, t2, "10.244.1.7")).update();
            awaitRules(ns, daemon, "the new endpoint",
                    r -> r.contains("--to-destination 10.244.1.7:8080") && !r.contains("10.244.1.5"));
            latency("update", t2);

            // It is deleted.
            admin.services().inNamespace("default").withName("web").delete();
            awaitRules(ns, daemon, "web's rules gone", r -> !r.contains("default/web"));

            // The API server goes away: the rules stay.
            admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
            awaitRules(ns, daemon, "web back", r -> r.contains("default/web:http cluster IP")
                    && r.contains("--to-destination 10.244.1.7:8080"));
            stopApi();
            awaitLog(daemon, "unreachable");
            String during = ns.runChecked("iptables-nft-save");
            assertTrue(during.contains("--to-destination 10.244.1.7:8080"), "rules kept during the outage\n" + during);

            // It comes back with different objects: the daemon converges.
            startApi();
            Instant t3 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
            admin.services().resource(service("default", "db", "10.96.0.20", 5432)).create();
            admin.resource(slice("default", "web", "web-1", 8080, t3, "10.244.1.9")).create();
            awaitRules(ns, daemon, "the state after the outage", r -> r.contains("--to-destination 10.244.1.9:8080")
                    && !r.contains("10.244.1.7") && r.contains("default/db:http has no endpoints"));
            awaitLog(daemon, "reachable again");
            latency("after the outage (includes the outage detection)", t3);
            assertTrue(daemon.isAlive(), log());
        }
    }

    private String awaitRules(NetNs ns, Process daemon, String what, Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        String nat = "";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("svcproxy exited " + daemon.exitValue() + " while waiting for " + what + "\n" + log());
            }
            nat = ns.runChecked("iptables-nft-save");
            if (ok.test(nat)) {
                return nat;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "\nnat:\n" + nat + "\nlog:\n" + log());
    }

    private void awaitLog(Process daemon, String text) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
            if (log().contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for '" + text + "' in the log\n" + log());
    }

    private String log() {
        try {
            return Files.readString(daemonLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Printed, never asserted: wall-clock bounds make flaky tests. */
    private static void latency(String step, Instant trigger) {
        System.out.println("network programming latency (" + step + "): "
                + Duration.between(trigger, Instant.now()).toMillis() + " ms (trigger time to rules visible)");
    }
}
