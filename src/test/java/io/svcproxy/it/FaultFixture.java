package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Pod;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the fault ITs of every mode share ({@link FaultScenariosIT}, {@link NftFaultScenariosIT}): a node
 * namespace with backends a, b, c, ... at 10.244.1.11, .12, ..., its cluster file, one daemon in the
 * mode under test (metrics and /healthz on the node's loopback), a seeded random, the figures each test
 * prints as "[Suite.test] what: value", client loops, the daemon's endpoints read with curl, and the
 * converged check ({@code plan --against live}). Every wait is bounded.
 */
abstract class FaultFixture {
    static final int METRICS_PORT = 10249;
    static final int HEALTH_PORT = 10256;
    static final Duration CMD = Duration.ofSeconds(30);

    /** The flags that select the mode under test, for {@code run} and {@code plan}. */
    private final List<String> modeFlags;
    private final int backends;

    protected Topology topology;
    protected ClusterFile cluster;
    protected Daemon daemon;
    private String name;
    private final long seed = System.nanoTime();
    protected final Random random = new Random(seed);

    FaultFixture(List<String> modeFlags, int backends) {
        this.modeFlags = List.copyOf(modeFlags);
        this.backends = backends;
    }

    @BeforeEach
    void setUpFixture(TestInfo info) {
        name = getClass().getSimpleName().replaceAll("IT$", "") + "."
                + info.getTestMethod().map(m -> m.getName()).orElse("?");
        figure("random seed", seed);
        Topology.Builder b = Topology.builder();
        for (int i = 0; i < backends; i++) {
            b.backend(String.valueOf((char) ('a' + i)), "10.244.1." + (11 + i));
        }
        topology = b.build();
        cluster = new ClusterFile(topology.dir());
    }

    @AfterEach
    void tearDownFixture() {
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

    void figure(String what, Object value) {
        System.out.println("[" + name + "] " + what + ": " + value);
    }

    /** The daemon in the mode under test (not started yet), with a sync period and extra flags. */
    Daemon newDaemon(String syncPeriod, String... extra) {
        List<String> flags = new ArrayList<>(modeFlags);
        flags.addAll(List.of("--sync-period", syncPeriod, "--min-sync-period", "1s",
                "--metrics-bind-address", "127.0.0.1:" + METRICS_PORT, "--healthz-bind-address", "127.0.0.1:" + HEALTH_PORT));
        flags.addAll(List.of(extra));
        daemon = new Daemon(topology, flags);
        return daemon;
    }

    /** A command in the node namespace that must succeed (stdin may be null); its output. */
    String inNode(String stdin, List<String> argv) {
        return Exec.checked(Exec.in(topology.node().name(), argv), stdin, CMD);
    }

    /** {@code svcproxy plan --against live} in the node namespace must exit 0: the kernel holds exactly the plan. */
    void assertConverged(String when) {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", cluster.path().toString(), "--against", "live",
                "--color", "never"));
        args.addAll(modeFlags);
        args.addAll(TrafficScenarios.FLAGS);
        NetNs.Result r = Exec.run(SvcproxyJar.command(topology.node().name(), args), "", Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), when + ": plan --against live must find nothing to change:\n" + r.stdout() + r.stderr());
    }

    BackgroundProcess clientLoop(Pod from, String dst, int port, int n) {
        return topology.track(from.tcpLoop(dst, port, n, 2, 0.05));
    }

    /** Waits for a client loop (bounded by its count) and returns its results, every connection accounted for. */
    Histogram finish(BackgroundProcess loop, int n) {
        assertEquals(0, loop.await(Duration.ofMillis(n * 4500L + 60_000)), "client loop ended: " + loop.stderr());
        Histogram h = Pod.results(loop);
        assertEquals(n, h.total(), h.toString());
        return h;
    }

    /** GET on the daemon's metrics ({@code /metrics}) or health port (anything else): the body, or the status. */
    String curl(String path, boolean statusOnly) {
        List<String> argv = new ArrayList<>(List.of("curl", "-s", "-m", "5"));
        if (statusOnly) {
            argv.addAll(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        }
        argv.add("http://127.0.0.1:" + (path.equals("/metrics") ? METRICS_PORT : HEALTH_PORT) + path);
        return Exec.run(Exec.in(topology.node().name(), argv), null, CMD).stdout().strip();
    }

    /** /healthz's status code; -1 when there was no answer. */
    int healthz() {
        String code = curl("/healthz", true);
        return code.matches("\\d{3}") ? Integer.parseInt(code) : -1;
    }

    /** The sum of a metric family's samples (all label sets); -1 when absent. */
    double metric(String family) {
        double sum = -1;
        for (String l : curl("/metrics", false).lines().toList()) {
            if (l.startsWith(family + " ") || l.startsWith(family + "{")) {
                sum = Math.max(sum, 0) + Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
