package io.svcproxy.bench;

import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.BackgroundProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged svcproxy as a user runs it: the launcher (bin/svcproxy, with its JVM defaults) on the
 * jar `mvn package` built, {@code svcproxy run} as a daemon inside the node namespace, stdout and
 * stderr in files. Known by its PID (the launcher execs java, so it is the JVM's): read through
 * /proc, scraped on its metrics address from inside the namespace, stopped by PID.
 */
final class PackagedProxy implements AutoCloseable {
    /** The daemon's metrics address inside the node namespace (its default). */
    static final String METRICS_URL = "http://127.0.0.1:10249/metrics";
    static final String NETWORK_PROGRAMMING = "kubeproxy_network_programming_duration_seconds";

    private final NetNs ns;
    private final BackgroundProcess process;
    private final long startNanos;

    private PackagedProxy(NetNs ns, BackgroundProcess process, long startNanos) {
        this.ns = ns;
        this.process = process;
        this.startNanos = startNanos;
    }

    /**
     * Starts {@code launcher run ARGS} in the namespace with SVCPROXY_JAR naming the jar; the start
     * time is taken just before the fork (process start, as the reference measured upstream's).
     */
    static PackagedProxy start(NetNs ns, Path launcher, Path jar, List<String> runArgs, Path logDir) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "env",
                "SVCPROXY_JAR=" + jar.toAbsolutePath(), launcher.toAbsolutePath().toString(), "run"));
        argv.addAll(runArgs);
        long start = System.nanoTime();
        BackgroundProcess p = BackgroundProcess.start("svcproxy", argv, logDir);
        return new PackagedProxy(ns, p, start);
    }

    long startNanos() {
        return startNanos;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The JVM's stats now; fails when the process is gone (its log says why). */
    ProcStats stats() {
        ProcStats s = ProcStats.of(pid());
        if (s == null || !process.isAlive()) {
            throw new IllegalStateException("svcproxy (pid " + pid() + ") exited " + process.await(Duration.ZERO)
                    + "; log " + process.stderrFile() + ":\n" + tail(process.stderr()));
        }
        return s;
    }

    /** The JVM options the process runs with: its command line's and JAVA_TOOL_OPTIONS. */
    String jvmFlags() {
        String tool = ProcStats.javaToolOptions(pid());
        return String.join(" ", ProcStats.jvmOptions(pid())) + (tool.isEmpty() ? "" : " JAVA_TOOL_OPTIONS=" + tool);
    }

    /**
     * The IPv4 network programming latency histogram from the daemon's own /metrics (the bench's
     * changes are IPv4; the IPv6 syncer observes the same trigger times for its own, empty, sync).
     */
    PromHistogram networkProgramming() {
        NetNs.Result r = ns.run("curl", "-sf", "--max-time", "10", METRICS_URL);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("scraping " + METRICS_URL + " in " + ns.name() + " failed (curl exit "
                    + r.exitCode() + "): " + r.stderr());
        }
        return PromHistogram.parse(r.stdout(), NETWORK_PROGRAMMING, "ip_family=\"IPv4\"");
    }

    Path logFile() {
        return process.stderrFile();
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** SIGTERM, then SIGKILL after a bound, by PID (and its descendants). */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(15));
    }
}
