package io.svcproxy.it;

import static io.svcproxy.testing.KubeObjects.node;
import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.slice;
import static io.svcproxy.testing.ScriptedApiServer.Kind.NODES;
import static io.svcproxy.testing.ScriptedApiServer.Kind.SERVICES;
import static io.svcproxy.testing.ScriptedApiServer.Kind.SLICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.ScriptedApiServer;
import io.svcproxy.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The packaged daemon ({@code svcproxy run --master URL}) in a node namespace, its rules in the real
 * kernel, against a kube-apiserver stub ({@link ScriptedApiServer}) reached over socat and a relay:
 * RBAC refusing the initial list (named in the log, /healthz 503, nothing written), a watch answered
 * 410 Gone (relisted, the node's rules never without the service, one sync), then RBAC refusing the
 * watch (named in the log, /healthz 503 with the reason, rules kept).
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "socat", "nfacct", "curl"})
class ApiServerBehavioursIT {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final String HEALTHZ = "127.0.0.1:10256";

    private final List<Process> processes = new ArrayList<>();
    private final ScriptedApiServer api = new ScriptedApiServer();
    private Path socketDir;
    private TcpRelay relay;
    private Path log;

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (relay != null) {
            relay.close();
        }
        api.close();
        if (socketDir != null) {
            Files.deleteIfExists(socketDir.resolve("api.sock"));
            Files.deleteIfExists(socketDir);
        }
    }

    private Process spawn(List<String> argv, Path out) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.redirectOutput(out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(out.toFile()));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private long syncs() {
        return log().lines().filter(l -> l.contains("sync complete")).count();
    }

    private void await(String what, Process daemon, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!ok.getAsBoolean()) {
            if (!daemon.isAlive()) {
                throw new AssertionError("svcproxy exited " + daemon.exitValue() + " waiting for " + what + "\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "\nlog:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    private static String healthz(NetNs ns) {
        return ns.run("curl", "-s", "-w", " %{http_code}", "http://" + HEALTHZ + "/healthz").stdout();
    }

    @Test
    void aRefusedListThenAWatchAnswered410GoneThenARefusedWatch() throws Exception {
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.5"));
        for (int i = 0; i < 5; i++) {
            api.put(SERVICES, service("default", "other-" + i, "10.96.1." + (10 + i), 80));
            api.put(SLICES, slice("default", "other-" + i, "other-" + i + "-1", 8080, null, "10.244.2." + (10 + i)));
        }
        api.put(NODES, node("node-a", "192.168.1.10"));
        api.answerLists(SERVICES, r -> ScriptedApiServer.forbidden(SERVICES, "list")); // RBAC without "list"
        socketDir = Files.createTempDirectory("svcp-api");
        Path socket = socketDir.resolve("api.sock");
        relay = new TcpRelay(UnixDomainSocketAddress.of(socket),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()));
        log = Files.createTempFile("svcproxy-run", ".log");
        try (NetNs ns = NetNs.create()) {
            ns.runChecked("ip", "link", "set", "lo", "up");
            spawn(List.of("ip", "netns", "exec", ns.name(), "socat", "TCP-LISTEN:6443,bind=127.0.0.1,fork,reuseaddr",
                    "UNIX-CONNECT:" + socket), null);
            Process daemon = spawn(SvcproxyJar.command(ns, "run", "--master", "http://127.0.0.1:6443",
                    "--hostname-override", "node-a", "--cluster-cidr", "10.244.0.0/16", "--iptables-backend", "nft",
                    "--min-sync-period", "200ms", "--sync-period", "30s", "--healthz-bind-address", HEALTHZ), log);
            // The initial list refused: said so, not ready, and nothing written (not an empty ruleset).
            await("the refused list in the log", daemon, () -> log().contains("refuses to list services (403 Forbidden)"));
            await("not ready while refused", daemon, () -> healthz(ns).endsWith(" 503"));
            await("retried", daemon, () -> api.requests(SERVICES, false).size() >= 3);
            System.out.println("[403 list, daemon] /healthz: " + healthz(ns));
            assertEquals(0, syncs(), "no sync before the initial lists\n" + log());
            assertTrue(!ns.runChecked("iptables-nft-save", "-t", "nat").contains("KUBE-SERVICES"), "nothing written");
            api.answerLists(SERVICES, null);

            Predicate<String> webFirst = r -> r.contains("--to-destination 10.244.1.5:8080");
            await("web's rules", daemon, () -> webFirst.test(ns.runChecked("iptables-nft-save", "-t", "nat")));
            await("the watches", daemon, () -> api.openWatches(SLICES) == 1);
            await("ready", daemon, () -> healthz(ns).endsWith(" 200"));

            // 410 Gone: the rules are sampled all along; web must never be missing from them.
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicInteger samples = new AtomicInteger();
            AtomicReference<String> missing = new AtomicReference<>();
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    String nat = ns.run("iptables-nft-save", "-t", "nat").stdout();
                    samples.incrementAndGet();
                    if (!nat.contains("--to-destination 10.244.1.5:8080") && !nat.contains("--to-destination 10.244.1.7:8080")) {
                        missing.compareAndSet(null, nat);
                    }
                }
            }, "rules-sampler");
            sampler.start();
            long syncsBefore = syncs();
            api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.7"), false); // missed by the watch
            api.expireWatches(SLICES);
            await("the relisted endpoint", daemon, () -> ns.runChecked("iptables-nft-save", "-t", "nat")
                    .contains("--to-destination 10.244.1.7:8080"));
            await("the watch after the relist", daemon, () -> api.requests(SLICES, false).size() == 2
                    && api.openWatches(SLICES) == 1);
            api.put(SLICES, slice("default", "other-0", "other-0-1", 8080, null, "10.244.2.99"));
            await("a change after it", daemon, () -> ns.runChecked("iptables-nft-save", "-t", "nat")
                    .contains("--to-destination 10.244.2.99:8080"));
            sampling.set(false);
            sampler.join();
            long syncsAfter = syncs() - syncsBefore;
            System.out.println("[410 Gone, daemon] syncs for the relist and the later change: " + syncsAfter
                    + "; rule samples during it: " + samples.get());
            assertEquals(null, missing.get(), "web's backend missing from the node's rules during the relist");
            assertEquals(2, syncsAfter, "one sync for the relist, one for the later change\n" + log());

            // RBAC loses "watch" on EndpointSlices: the watch ends at its timeout, the next ones are refused.
            api.answerWatches(SLICES, r -> ScriptedApiServer.forbidden(SLICES, "watch"));
            api.closeWatches(SLICES);
            await("the refusal in the log", daemon, () -> log().contains("refuses to watch endpointslices.discovery.k8s.io"));
            await("not ready", daemon, () -> healthz(ns).endsWith(" 503"));
            String health = healthz(ns);
            String line = log().lines().filter(l -> l.contains("refuses to watch")).findFirst().orElseThrow();
            System.out.println("[403 watch, daemon] log: " + line + "\n/healthz: " + health);
            assertTrue(health.contains("\"sourceProblem\": \"the API server refuses to watch endpointslices.discovery.k8s.io"
                    + " (403 Forbidden)\""), health);
            assertTrue(line.contains("ERROR"), line);
            String nat = ns.runChecked("iptables-nft-save", "-t", "nat");
            assertTrue(nat.contains("--to-destination 10.244.1.7:8080") && nat.contains("--to-destination 10.244.2.99:8080"),
                    "the rules stay\n" + nat);

            api.answerWatches(SLICES, null); // RBAC fixed
            await("ready again", daemon, () -> healthz(ns).endsWith(" 200"));
            assertEquals(1, log().lines().filter(l -> l.contains("refuses to watch")).count(), "logged once\n" + log());
            assertTrue(daemon.isAlive(), log());
        }
    }
}
