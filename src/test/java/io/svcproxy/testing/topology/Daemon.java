package io.svcproxy.testing.topology;

import io.svcproxy.it.SvcproxyJar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Programs the node with the daemon: {@code svcproxy run} (the real jar) inside the node namespace,
 * stderr in a file. Contract: an INFO line containing {@code sync complete} per sync
 * ({@code drift repaired} when it repaired something, {@code payload bytes=N} for what it wrote);
 * SIGTERM exits 0 leaving the rules in place.
 */
public final class Daemon implements NodeProgrammer {
    public static final Duration FIRST_SYNC = Duration.ofSeconds(60);
    private static final Pattern PAYLOAD = Pattern.compile("payload bytes=(\\d+)");
    private final String nodeNs;
    private final java.nio.file.Path logDir;
    private final java.util.function.UnaryOperator<BackgroundProcess> tracker;
    private final List<String> daemonFlags;
    private List<String> source;
    private List<String> flags;
    private BackgroundProcess process;
    private final List<BackgroundProcess> previous = new ArrayList<>();
    private List<String> commandPrefix = List.of();

    /** daemonFlags: e.g. --sync-period 3s, --iptables-backend nft. */
    public Daemon(Topology topology, List<String> daemonFlags) {
        this(topology.node().name(), topology.dir(), topology::track, daemonFlags);
    }

    /**
     * A daemon in the namespace nodeNs (any cluster of namespaces, e.g. the e2e netns cluster's nodes),
     * its output under logDir, each process it starts handed to tracker (which stops it on teardown).
     */
    public Daemon(String nodeNs, java.nio.file.Path logDir, java.util.function.UnaryOperator<BackgroundProcess> tracker,
                  List<String> daemonFlags) {
        this.nodeNs = nodeNs;
        this.logDir = logDir;
        this.tracker = tracker;
        this.daemonFlags = List.copyOf(daemonFlags);
    }

    @Override
    public void start(ClusterFile clusterFile, List<String> kubeProxyFlags) {
        this.source = List.of("--cluster", clusterFile.path().toString());
        this.flags = List.copyOf(kubeProxyFlags);
        launch();
    }

    /** Starts with the Kubernetes API at masterUrl (as seen from the node namespace) as the source. */
    public void startApi(String masterUrl, List<String> kubeProxyFlags) {
        startApiDetached(masterUrl, kubeProxyFlags);
        awaitSyncs(1, FIRST_SYNC);
    }

    /** As {@link #startApi} without waiting for the first sync (several nodes start at once, then wait). */
    public void startApiDetached(String masterUrl, List<String> kubeProxyFlags) {
        this.source = List.of("--master", masterUrl);
        this.flags = List.copyOf(kubeProxyFlags);
        spawn();
    }

    /**
     * An argv prefix for the daemon's command (e.g. {@code env PATH=DIR:...}: the fault tests put a
     * wrapper directory first on the daemon's PATH). Takes effect at the next start.
     */
    public Daemon commandPrefix(List<String> prefix) {
        this.commandPrefix = List.copyOf(prefix);
        return this;
    }

    /** Starts (again) and waits for the first "sync complete" of this process. */
    public void launch() {
        spawn();
        awaitSyncs(1, FIRST_SYNC);
    }

    /** Starts (again) without waiting for anything (the crash tests kill it at a random point). */
    public void spawn() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("daemon already running, pid " + process.pid());
        }
        if (process != null) {
            previous.add(process);
        }
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(source);
        args.addAll(flags);
        args.addAll(daemonFlags);
        List<String> argv = new ArrayList<>(commandPrefix);
        argv.addAll(SvcproxyJar.command(nodeNs, args));
        process = tracker.apply(BackgroundProcess.start("svcproxy", argv, logDir));
    }

    public BackgroundProcess process() {
        return process;
    }

    /** This process's stderr (the log). */
    public String log() {
        return process.stderr();
    }

    public List<String> logLines(String containing) {
        return log().lines().filter(l -> l.contains(containing)).toList();
    }

    public int syncCount() {
        return logLines("sync complete").size();
    }

    /** Waits until this process logged at least n "sync complete" lines (bounded). */
    public void awaitSyncs(int n, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (syncCount() < n) {
            if (!process.isAlive()) {
                throw new AssertionError("svcproxy run exited " + process.await(Duration.ZERO) + " before sync " + n
                        + "; log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no sync " + n + " within " + bound + "; log:\n" + log());
            }
            Topology.sleep(100);
        }
    }

    /** Waits for a log line containing text (bounded); returns it. */
    public String awaitLog(String text, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> l = logLines(text);
            if (!l.isEmpty()) {
                return l.get(l.size() - 1);
            }
            if (!process.isAlive()) {
                break;
            }
            Topology.sleep(100);
        }
        throw new AssertionError("no log line with '" + text + "' within " + bound + "; log:\n" + log());
    }

    /** The payload size of the first sync of the given process log. */
    public static OptionalInt firstPayloadBytes(String log) {
        Matcher m = PAYLOAD.matcher(log);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    public List<BackgroundProcess> previousProcesses() {
        return previous;
    }

    @Override
    public void update(Runnable change) {
        int before = syncCount();
        change.run();
        awaitSyncs(before + 1, Duration.ofSeconds(20));
    }

    @Override
    public boolean cleansConntrack() {
        return true;
    }

    /** SIGTERM and wait; returns the exit code (the contract: 0, rules left in place). */
    public int terminate() {
        return process.stop(Duration.ofSeconds(15));
    }

    /** SIGKILL. */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        if (process != null) {
            process.stop(Duration.ofSeconds(5));
        }
    }
}
