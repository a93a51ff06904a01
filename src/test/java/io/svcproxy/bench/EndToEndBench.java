package io.svcproxy.bench;

import io.svcproxy.it.SvcproxyJar;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Endpoint;
import io.svcproxy.plan.ChainNames;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.Teardown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end bench (issue 16): the PACKAGED svcproxy (the launcher and its JVM defaults) as a
 * daemon in a fresh node namespace against an API server holding the cluster, measured from outside
 * the process the way the reference measured upstream kube-proxy: first sync (process start to every
 * rule in the kernel), one endpoint changed, a new Service + EndpointSlice, a Service deleted (each
 * from the write returning to the kernel showing it), a burst of endpoint changes (latency p50/p99
 * beside the proxy's own metric), CPU seconds (proxy + children) and peak RSS. One fresh namespace,
 * API server and process per run; rows are medians over the runs with min and max.
 *
 * <p>{@code EndToEndBench --size N [--runs 5] [--modes iptables/nft,iptables/legacy,nftables,ipvs]
 * [--burst-rate 100] [--burst-seconds 60] [--launcher bin/svcproxy] [--jar target/svcproxy.jar]
 * [--out FILE.csv] [--skipped FILE.md] [--log-dir DIR] [--gap-ms 20]}
 */
public final class EndToEndBench {
    public static final String SECTION = "i. end to end";
    static final String FIRST_SYNC = "first sync: process start to every rule in the kernel";
    static final String ENDPOINT_CHANGED = "one endpoint changed: write returned to the new DNAT in the kernel";
    static final String NEW_SERVICE = "new Service + EndpointSlice: last write returned to its rules in the kernel";
    static final String SERVICE_DELETED = "Service deleted: write returned to its rules gone from the kernel";
    static final String BURST_P50 = "burst: network programming latency p50 (write returned to kernel)";
    static final String BURST_P99 = "burst: network programming latency p99 (write returned to kernel)";
    static final String METRIC_P50 = "burst: the proxy's own network_programming_duration p50";
    static final String METRIC_P99 = "burst: the proxy's own network_programming_duration p99";
    static final String CPU_FIRST = "CPU seconds, proxy + children: start to first sync in the kernel";
    static final String CPU_BURST = "CPU seconds, proxy + children: during the burst (writes to the last change seen)";
    static final String CPU_RUN = "CPU seconds, proxy + children: whole run";
    static final String RSS = "peak RSS (VmHWM) over the run";
    /** The mock API server logs every request at INFO through java.util.logging (held: JUL keeps loggers weakly). */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("okhttp3.mockwebserver");

    record Config(int size, int runs, List<EndToEndMode> modes, double burstRate, Duration burstSeconds,
                  Path launcher, Path jar, Path out, Path skipped, Path logDir, long gapMillis, int newServices) {
    }

    /** The quiet time before each new Service: longer than the default min-sync-period (1 s). */
    static final Duration NEW_SERVICE_SETTLE = Duration.ofMillis(1500);
    static final String NEW_SERVICE_LOWER = "new Service + EndpointSlice: lower bound (last read without it)";
    static final String NEW_SERVICE_FROM_FIRST = "new Service + EndpointSlice: first write returned to its rules in the kernel";

    private final Config config;
    private final Map<String, ScaleBench.Metric> metrics = new LinkedHashMap<>();
    private int failures;
    private final List<Runnable> runSamples = new ArrayList<>();

    EndToEndBench(Config config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        ScaleBench.quietLogging();
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        int size = 1000;
        int runs = 5;
        List<EndToEndMode> modes = List.of(EndToEndMode.values());
        double rate = 100;
        double seconds = 60;
        Path launcher = Path.of("bin/svcproxy");
        Path jar = SvcproxyJar.JAR;
        Path out = Path.of("target/bench/e2e.csv");
        Path skipped = null;
        Path logDir = null;
        long gap = 20;
        int newServices = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--modes" -> modes = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(EndToEndMode::parse).toList();
                case "--burst-rate" -> rate = Double.parseDouble(args[++i]);
                case "--burst-seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--skipped" -> skipped = Path.of(args[++i]);
                case "--log-dir" -> logDir = Path.of(args[++i]);
                case "--gap-ms" -> gap = Long.parseLong(args[++i]);
                case "--new-services" -> newServices = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path logs = logDir != null ? logDir : out.toAbsolutePath().getParent().resolve("e2e-logs");
        new EndToEndBench(new Config(size, runs, modes, rate, Duration.ofMillis((long) (seconds * 1000)), launcher, jar,
                out, skipped, logs, gap, newServices)).run();
    }

    /** Every available mode, every run; the CSV is (re)written after each run so an interrupted bench keeps its rows. */
    void run() throws Exception {
        String help = runHelp();
        for (EndToEndMode mode : config.modes()) {
            var why = mode.unavailable(help);
            if (why.isPresent()) {
                skipped(why.get() + " (" + config.size() + " services)");
                continue;
            }
            for (int r = 1; r <= config.runs(); r++) {
                log(mode.label() + " " + config.size() + " services: run " + r + "/" + config.runs());
                try {
                    runSamples.clear();
                    runOnce(mode, r);
                    commitRun();
                } catch (RuntimeException e) {
                    // Its rows stay out (a run counts whole or not at all); the other modes still run.
                    failures++;
                    skipped(mode.label() + " at " + config.size() + " services: run " + r + " FAILED (" + e.getMessage()
                            + "); its later runs are not tried; logs in " + config.logDir());
                    e.printStackTrace();
                    break;
                }
                writeCsv();
            }
        }
        writeCsv();
        if (failures > 0) {
            throw new IllegalStateException(failures + " mode(s) failed at " + config.size() + " services");
        }
    }

    /** `svcproxy run --help` of the launcher under test: which proxy modes this build offers. */
    String runHelp() throws IOException, InterruptedException {
        return runHelpOf(config.launcher(), config.jar());
    }

    static String runHelpOf(Path launcher, Path jar) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(launcher.toAbsolutePath().toString(), "run", "--help")
                .redirectErrorStream(true);
        b.environment().put("SVCPROXY_JAR", jar.toAbsolutePath().toString());
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    private void runOnce(EndToEndMode mode, int run) throws Exception {
        int n = config.size();
        Path dir = Files.createDirectories(config.logDir().resolve(mode.name().toLowerCase() + "-" + n + "-run" + run));
        NetNs ns = NetNs.create();
        BenchApiServer api = new BenchApiServer();
        PackagedProxy proxy = null;
        NodeKernel kernel = null;
        Teardown teardown = new Teardown("end-to-end run " + mode.label() + " " + n);
        var running = new java.util.concurrent.atomic.AtomicReference<PackagedProxy>();
        // Interrupted (Ctrl-C, a killed make): the daemon, the API server and the namespace still go.
        Thread cleanup = new Thread(() -> {
            if (running.get() != null) {
                running.get().close();
            }
            api.close();
            ns.close();
        }, "end-to-end-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ns.runChecked("ip", "link", "set", "lo", "up");
            long populate = System.nanoTime();
            api.start(ns, n, dir);
            log("API server holds " + n + " Services + EndpointSlices (" + ScaleBench.fmt(ScaleBench.millis(populate))
                    + " ms to write them)");
            kernel = new NodeKernel(ns, mode);
            proxy = PackagedProxy.start(ns, config.launcher(), config.jar(), runArgs(mode), dir);
            running.set(proxy);
            log("svcproxy pid " + proxy.pid() + ", log " + proxy.logFile());
            measureFirstSync(mode, kernel, proxy);
            String flags = proxy.jvmFlags();
            List<List<String>> endpoints = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                List<String> eps = new ArrayList<>();
                for (int e = 0; e < BenchCluster.ENDPOINTS; e++) {
                    eps.add(BenchCluster.endpointIP(s * BenchCluster.ENDPOINTS + e));
                }
                endpoints.add(eps);
            }
            int fresh = 0;
            measureEndpointChange(mode, kernel, proxy, api, endpoints, n / 2, fresh++);
            for (int k = 0; k < config.newServices(); k++) {
                // Idle first (past the default min-sync-period of 1 s): each new Service meets a quiet proxy.
                java.util.concurrent.locks.LockSupport.parkNanos(NEW_SERVICE_SETTLE.toNanos());
                measureNewService(mode, kernel, api, n + k);
            }
            int deleted = n / 4;
            measureServiceDeleted(mode, kernel, api, deleted);
            List<Integer> live = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                if (s != deleted) {
                    live.add(s);
                }
            }
            measureBurst(mode, kernel, proxy, api, live, endpoints, fresh);
            ProcStats end = proxy.stats();
            sample(mode, CPU_RUN, "s", "JVM flags: " + flags, end.cpuSeconds());
            sample(mode, "CPU seconds: the proxy's children (iptables-restore, ...) over the whole run", "s", "",
                    end.childCpuSeconds());
            sample(mode, RSS, "MiB", "JVM flags: " + flags, end.peakRssMiB());
            log("peak RSS " + ScaleBench.fmt(end.peakRssMiB()) + " MiB, CPU " + ScaleBench.fmt(end.cpuSeconds())
                    + " s (children " + ScaleBench.fmt(end.childCpuSeconds()) + " s); JVM flags: " + flags);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting: the hook is already cleaning up.
            }
            if (proxy != null) {
                teardown.step(proxy::close);
            }
            if (kernel != null) {
                teardown.step(kernel::close);   // its netlink socket, before the namespace goes
            }
            teardown.step(api::close);
            teardown.step(ns::close);
            teardown.done();
        }
    }

    /** The daemon's flags: the mode's, the node, the cluster CIDR; everything else left at its default. */
    private static List<String> runArgs(EndToEndMode mode) {
        List<String> a = new ArrayList<>(List.of("--master", io.svcproxy.it.RelayedApi.MASTER,
                "--hostname-override=" + BenchCluster.NODE, "--cluster-cidr=10.244.0.0/16"));
        a.addAll(mode.flags());
        return a;
    }

    /** A bound for one wait: generous, growing with the cluster (a 10000-service first sync takes minutes on nft). */
    private Duration bound(double perService) {
        return Duration.ofMillis(60_000 + (long) (perService * config.size()));
    }

    private void measureFirstSync(EndToEndMode mode, NodeKernel kernel, PackagedProxy proxy) {
        int n = config.size();
        long start = proxy.startNanos();
        // The CPU used up to the read that saw the rules (not up to the confirming dump after it).
        Map<Long, ProcStats> statsAt = new java.util.HashMap<>();
        NodeKernel.Check whole = () -> {
            NodeKernel.Dump d = kernel.dump();
            boolean yes = allPresent(d.rules(), n);
            if (yes) {
                statsAt.put(d.endNanos(), proxy.stats());
            }
            return new NodeKernel.Reading(yes, d.endNanos());
        };
        NodeKernel.Seen seen;
        if (kernel.readsChains()) {
            // KUBE-SERVICES gets its jumps last: when every service's jump is there, the dump confirms the rest.
            NodeKernel.Check jumps = () -> {
                boolean nft = mode == EndToEndMode.NFTABLES;
                var c = nft ? kernel.map("service-ips") : kernel.chain("KUBE-SERVICES");
                long end = System.nanoTime();
                boolean yes = c.isPresent() && count(c.get(), nft ? "goto service-" : "-j KUBE-SVC-") >= n;
                if (yes) {
                    statsAt.put(end, proxy.stats());
                }
                return new NodeKernel.Reading(yes, end);
            };
            seen = confirmed("first sync", start, jumps, whole, bound(100));
        } else {
            seen = NodeKernel.await("first sync", start, whole, bound(100), config.gapMillis());
        }
        ProcStats at = statsAt.getOrDefault(seen.atNanos(), proxy.stats());
        sample(mode, FIRST_SYNC, "s", "", seen.secondsSince(start));
        sample(mode, CPU_FIRST, "s", "", at.cpuSeconds());
        resolution(mode, "first sync", seen);
        log("first sync in the kernel after " + ScaleBench.fmt(seen.secondsSince(start)) + " s (" + seen.reads()
                + " reads), CPU " + ScaleBench.fmt(at.cpuSeconds()) + " s");
    }

    /** Every service's cluster IP and every endpoint's DNAT. */
    static boolean allPresent(KernelDump d, int services) {
        for (int s = 0; s < services; s++) {
            if (!d.hasAddress(BenchCluster.clusterIP(s))) {
                return false;
            }
            for (int e = 0; e < BenchCluster.ENDPOINTS; e++) {
                if (!d.hasDestination(BenchCluster.endpointIP(s * BenchCluster.ENDPOINTS + e), 8080)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void measureEndpointChange(EndToEndMode mode, NodeKernel kernel, PackagedProxy proxy, BenchApiServer api,
                                       List<List<String>> endpoints, int s, int fresh) {
        String ip = freshAddress(fresh);
        List<String> eps = endpoints.get(s);
        eps.set(0, ip);
        api.writeSlice(s, eps, false);
        long written = System.nanoTime();
        NodeKernel.Check whole = () -> {
            NodeKernel.Dump d = kernel.dump();
            return new NodeKernel.Reading(d.rules().hasDestination(ip, 8080), d.endNanos());
        };
        NodeKernel.Seen seen;
        if (kernel.readsChains()) {
            String sep = mode.endpointChain(BenchCluster.name(s), ip);
            NodeKernel.Check chain = () -> {
                var c = kernel.chain(sep);
                long end = System.nanoTime();
                return new NodeKernel.Reading(c.isPresent() && new KernelDump(c.get()).hasDestination(ip, 8080), end);
            };
            seen = confirmed("endpoint change", written, chain, whole, bound(10));
        } else {
            seen = NodeKernel.await("endpoint change", written, whole, bound(10), config.gapMillis());
        }
        sample(mode, ENDPOINT_CHANGED, "s", "", seen.secondsSince(written));
        resolution(mode, "endpoint change", seen);
        log("endpoint change in the kernel after " + ScaleBench.fmt(seen.secondsSince(written)) + " s");
    }

    private void measureNewService(EndToEndMode mode, NodeKernel kernel, BenchApiServer api, int s) {
        List<String> eps = new ArrayList<>();
        for (int e = 0; e < BenchCluster.ENDPOINTS; e++) {
            eps.add(BenchCluster.endpointIP(s * BenchCluster.ENDPOINTS + e));
        }
        long first = System.nanoTime();
        api.createService(s);
        api.writeSlice(s, eps, true);
        long written = System.nanoTime();
        String ip = BenchCluster.clusterIP(s);
        NodeKernel.Check whole = () -> {
            NodeKernel.Dump d = kernel.dump();
            boolean all = d.rules().hasAddress(ip) && eps.stream().allMatch(a -> d.rules().hasDestination(a, 8080));
            return new NodeKernel.Reading(all, d.endNanos());
        };
        NodeKernel.Seen seen;
        if (kernel.readsChains()) {
            String svc = mode.serviceChain(BenchCluster.name(s));
            NodeKernel.Check chain = () -> {
                var c = kernel.chain(svc);
                long end = System.nanoTime();
                boolean yes = c.isPresent() && (mode == EndToEndMode.NFTABLES
                        ? eps.stream().allMatch(a -> new KernelDump(c.get()).hasDestination(a, 8080))
                        : count(c.get(), "-j KUBE-SEP-") >= eps.size());
                return new NodeKernel.Reading(yes, end);
            };
            seen = confirmed("new service", written, chain, whole, bound(10));
        } else {
            seen = NodeKernel.await("new service", written, whole, bound(10), config.gapMillis());
        }
        sample(mode, NEW_SERVICE, "s", config.newServices() + " per run, each after " + NEW_SERVICE_SETTLE.toMillis()
                + " ms idle; the two writes took " + ScaleBench.fmt((written - first) / 1e6) + " ms in the first run",
                seen.secondsSince(written));
        sample(mode, NEW_SERVICE_LOWER, "s", "the change became visible between this and the row above",
                Math.max(0, seen.secondsSince(written) - seen.intervalNanos() / 1e9));
        sample(mode, NEW_SERVICE_FROM_FIRST, "s", "", seen.secondsSince(first));
        resolution(mode, "new service", seen);
        log("new service in the kernel after " + ScaleBench.fmt(seen.secondsSince(written)) + " s");
    }

    private void measureServiceDeleted(EndToEndMode mode, NodeKernel kernel, BenchApiServer api, int s) {
        api.deleteService(s);
        long written = System.nanoTime();
        String ip = BenchCluster.clusterIP(s);
        NodeKernel.Check whole = () -> {
            NodeKernel.Dump d = kernel.dump();
            return new NodeKernel.Reading(!d.rules().hasAddress(ip), d.endNanos());
        };
        NodeKernel.Seen seen;
        if (kernel.readsChains()) {
            // A chain still jumped to cannot be deleted: the service chain gone means no rule leads to it.
            String svc = mode.serviceChain(BenchCluster.name(s));
            NodeKernel.Check chain = () -> {
                var c = kernel.chain(svc);
                long end = System.nanoTime();
                return new NodeKernel.Reading(c.isEmpty() || c.get().isBlank(), end);
            };
            seen = confirmed("service deleted", written, chain, whole, bound(10));
        } else {
            seen = NodeKernel.await("service deleted", written, whole, bound(10), config.gapMillis());
        }
        sample(mode, SERVICE_DELETED, "s", "", seen.secondsSince(written));
        resolution(mode, "service deleted", seen);
        log("service deleted from the kernel after " + ScaleBench.fmt(seen.secondsSince(written)) + " s");
    }

    private void measureBurst(EndToEndMode mode, NodeKernel kernel, PackagedProxy proxy, BenchApiServer api,
                              List<Integer> services, List<List<String>> endpoints, int firstFresh)
            throws InterruptedException {
        PromHistogram before = proxy.networkProgramming();
        ProcStats cpuBefore = proxy.stats();
        EndpointBurst.Result r;
        long notifications = -1;
        int overflows = 0;
        if (mode == EndToEndMode.NFTABLES) {
            try (NftEvents events = NftEvents.start(kernel.namespace(), 8080)) {
                r = new EndpointBurst(api, kernel, services, endpoints, i -> freshAddress(firstFresh + i), events)
                        .run(config.burstRate(), config.burstSeconds(), bound(10), config.gapMillis());
                notifications = events.datagrams();
                overflows = events.overflows();
            }
        } else {
            r = new EndpointBurst(api, kernel, services, endpoints, i -> freshAddress(firstFresh + i))
                    .run(config.burstRate(), config.burstSeconds(), bound(10), config.gapMillis());
        }
        PromHistogram own = proxy.networkProgramming().minus(before);
        ProcStats cpuAfter = proxy.stats();
        sample(mode, CPU_BURST, "s", "", cpuAfter.cpuSeconds() - cpuBefore.cpuSeconds());
        List<Double> lat = new ArrayList<>(r.latencies());
        lat.sort(null);
        String what = ScaleBench.fmt(config.burstRate()) + "/s for " + ScaleBench.fmt(config.burstSeconds().toMillis() / 1e3)
                + " s";
        if (!lat.isEmpty()) {
            sample(mode, BURST_P50, "s", what, ScaleBench.percentile(lat, 50));
            sample(mode, BURST_P99, "s", what, ScaleBench.percentile(lat, 99));
            sample(mode, "burst: network programming latency max (write returned to kernel)", "s", what,
                    lat.get(lat.size() - 1));
        }
        if (own.count() > 0) {
            sample(mode, METRIC_P50, "s", "from its /metrics histogram (buckets interpolated), same burst", own.quantile(0.5));
            sample(mode, METRIC_P99, "s", "from its /metrics histogram (buckets interpolated), same burst", own.quantile(0.99));
        }
        sample(mode, "burst: changes written", "changes", what, r.written());
        sample(mode, "burst: changes seen in the kernel", "changes", "", lat.size());
        sample(mode, "burst: changes superseded before seen (same service written again)", "changes", "", r.superseded());
        sample(mode, "burst: changes never seen within the bound", "changes", "", r.unseen());
        sample(mode, "burst: write rate achieved", "changes/s", "", r.achievedRate());
        List<Double> writes = new ArrayList<>(r.writeSeconds());
        writes.sort(null);
        if (!writes.isEmpty()) {
            sample(mode, "burst: API write time p50 (request to response)", "s", "", ScaleBench.median(writes));
        }
        List<Double> intervals = new ArrayList<>(r.readIntervals());
        intervals.sort(null);
        if (notifications >= 0) {
            sample(mode, "burst: nf_tables notification datagrams read (instead of dumps)", "datagrams", "",
                    notifications);
            sample(mode, "burst: notification queue overflows (notifications lost)", "overflows", "", overflows);
        } else {
            sample(mode, "burst: kernel read interval p50 (the latencies' resolution)", "s", "", ScaleBench.median(intervals));
            sample(mode, "burst: reads that were whole dumps", "reads", "", r.dumpReads());
            sample(mode, "burst: reads of the pending changes' chains only", "reads", "", r.chainReads());
        }
        log("burst: " + r.written() + " written, " + lat.size() + " seen, " + r.superseded() + " superseded, "
                + r.unseen() + " unseen; p50 " + (lat.isEmpty() ? "n/a" : ScaleBench.fmt(ScaleBench.percentile(lat, 50)))
                + " s; the proxy's metric counted " + ScaleBench.fmt(own.count()));
    }

    /**
     * Polls the cheap read until yes, then confirms with one whole dump; if the dump disagrees, goes on
     * with whole dumps (and that is what is timed), so a targeted read can only make a time finer,
     * never earlier than the whole ruleset.
     */
    private NodeKernel.Seen confirmed(String what, long start, NodeKernel.Check targeted, NodeKernel.Check whole,
                                      Duration bound) {
        NodeKernel.Seen seen = NodeKernel.await(what, start, targeted, bound, config.gapMillis());
        if (whole.read().yes()) {
            return seen;
        }
        log(what + ": the targeted read was ahead of the whole dump; timing by whole dumps instead");
        return NodeKernel.await(what, start, whole, bound, config.gapMillis());
    }

    private void resolution(EndToEndMode mode, String what, NodeKernel.Seen seen) {
        sample(mode, "read interval at the " + what + " (resolution: the change became visible within it)", "s", "",
                seen.intervalNanos() / 1e9);
    }

    /** Addresses in 10.250.0.0/15 and up, which no generated endpoint has. */
    static String freshAddress(int i) {
        return BenchCluster.extraEndpoint(i).ip().getHostAddress();
    }

    static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            c++;
        }
        return c;
    }

    /** One measurement of the current run; kept only when the whole run succeeds ({@link #commitRun}). */
    private void sample(EndToEndMode mode, String name, String unit, String note, double value) {
        runSamples.add(() -> metrics.computeIfAbsent(mode.label() + "|" + name,
                k -> new ScaleBench.Metric(SECTION, name, mode.label(), config.size(), unit, note)).add(value));
    }

    private void commitRun() {
        runSamples.forEach(Runnable::run);
        runSamples.clear();
    }

    private void writeCsv() throws IOException {
        StringBuilder csv = new StringBuilder(String.join(",", ScaleBench.CSV_HEADER)).append('\n');
        for (ScaleBench.Metric m : metrics.values()) {
            csv.append(ScaleBench.csvLine(m.csv())).append('\n');
        }
        Files.createDirectories(config.out().toAbsolutePath().getParent());
        Files.writeString(config.out(), csv);
    }

    private void skipped(String note) throws IOException {
        System.err.println("!!!!! EndToEndBench: " + note);
        if (config.skipped() != null) {
            Files.writeString(config.skipped(), "- " + note + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private static void log(String message) {
        System.err.println("[EndToEndBench] " + message);
    }
}
