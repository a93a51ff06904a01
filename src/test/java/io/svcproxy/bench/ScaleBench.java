package io.svcproxy.bench;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesDataplane;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.nfacct.ToolNfacctCounters;
import io.svcproxy.diff.BatchPolicy;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.plan.IncrementalIptablesPlanner;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.KubeChains;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.reconcile.SyncLoop;
import io.svcproxy.reconcile.SyncObserver;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.source.SnapshotSource;
import io.svcproxy.testing.NamespacedCommandRunner;
import io.svcproxy.testing.NetNs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The real-kernel scale harness: N ClusterIP services x 10 endpoints, per iptables backend, each run
 * in fresh network namespaces ("svcp-" + random hex, deleted in finally). Our end-to-end times
 * (IptablesSyncer with the real CommandIptablesRestorer, its commands prefixed with "ip netns exec
 * NS") stand beside the kernel's floor for the same rules (a plain iptables-restore of the complete
 * payload into an empty namespace) and beside an upstream-style partial payload (the changed
 * service's chains plus every shared chain rewritten, as kube-proxy writes each sync).
 *
 * <p>Usage: {@code ScaleBench --size N [--runs 5] [--backends nft,legacy] [--burst 1000] [--rate 100]
 * [--max-seconds S] [--single-max N] [--no-dual-stack] [--dual-stack-only] [--dual-stack-runs N]
 * [--sweep auto,services:250,chains:1000] [--first-sync-only] [--out FILE.csv]}. Needs root. Every row is a median over the runs with min/max.
 */
public final class ScaleBench {
    static final IpFamily V4 = IpFamily.V4;
    /** The first full sync as the daemon writes it by default (--iptables-batch-services auto). */
    static final String FULL_SYNC = "svcproxy, staged (auto batches)";
    static final String SWEEP = "batch sweep: ";
    /**
     * iptables' -w: iptables-legacy takes /run/xtables.lock, one lock for the whole machine (not per
     * namespace), so on a shared machine another user's iptables can hold it for seconds; waiting
     * beats losing a run. Uncontended, the wait costs nothing.
     */
    static final int LOCK_WAIT_SECONDS = 60;
    static final String[] CSV_HEADER = {"section", "metric", "backend", "services", "endpoints_per_service",
        "unit", "median", "min", "max", "runs", "load1_max", "note"};

    /**
     * Harness settings; {@code dualStack} adds section f (both families, iptables + ip6tables), dualStackRuns
     * times. {@code sweep}: batch policies ("auto", "services:N", "chains:N") whose first full sync is also
     * measured each run; {@code firstSyncOnly} skips the partial syncs and the read.
     */
    public record Config(int size, int runs, List<IptablesBackend> backends, int burst, double rate,
                         long maxSecondsPerBackend, int singlePayloadMax, boolean dualStack, int dualStackRuns,
                         List<String> sweep, boolean firstSyncOnly) {
        public Config(int size, int runs, List<IptablesBackend> backends, int burst, double rate,
                      long maxSecondsPerBackend, int singlePayloadMax, boolean dualStack, int dualStackRuns) {
            this(size, runs, backends, burst, rate, maxSecondsPerBackend, singlePayloadMax, dualStack, dualStackRuns,
                    List.of(), false);
        }

        public Config(int size, int runs, List<IptablesBackend> backends, int burst, double rate,
                      long maxSecondsPerBackend) {
            this(size, runs, backends, burst, rate, maxSecondsPerBackend, Integer.MAX_VALUE, true, runs);
        }
    }

    /** One measured quantity: samples, the unit, and the highest 1-minute load seen while measuring. */
    public static final class Metric {
        final String section;
        final String metric;
        final String backend;
        final int size;
        final String unit;
        final String note;
        final List<Double> samples = new ArrayList<>();
        double loadMax;
        /** For percentiles over many events: the value (median column) and how many events. */
        Double fixed;
        int fixedCount;

        Metric(String section, String metric, String backend, int size, String unit, String note) {
            this.section = section;
            this.metric = metric;
            this.backend = backend;
            this.size = size;
            this.unit = unit;
            this.note = note;
        }

        void add(double v) {
            samples.add(v);
            loadMax = Math.max(loadMax, load1());
        }

        public String[] csv() {
            List<Double> s = new ArrayList<>(samples);
            Collections.sort(s);
            String median = fixed != null ? fmt(fixed) : s.isEmpty() ? "" : fmt(median(s));
            String min = fixed != null || s.isEmpty() ? "" : fmt(s.get(0));
            String max = fixed != null || s.isEmpty() ? "" : fmt(s.get(s.size() - 1));
            String runs = Integer.toString(fixed != null ? fixedCount : s.size());
            return new String[] {section, metric, backend, Integer.toString(size),
                Integer.toString(BenchCluster.ENDPOINTS), unit, median, min, max, runs, fmt(loadMax), note};
        }
    }

    private final Config config;
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final PlannerOptions options = PlannerOptions.defaults(V4, BenchCluster.NODE);

    public ScaleBench(Config config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        int size = 100;
        int runs = 5;
        List<IptablesBackend> backends = List.of(IptablesBackend.NFT, IptablesBackend.LEGACY);
        int burst = 1000;
        double rate = 100;
        long maxSeconds = 600;
        int singleMax = 1000;
        boolean dualStack = true;
        Integer dualStackRuns = null;
        List<String> sweep = List.of();
        boolean firstSyncOnly = false;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--backends" -> backends = parseBackends(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--single-max" -> singleMax = Integer.parseInt(args[++i]);
                case "--no-dual-stack" -> dualStack = false;
                case "--dual-stack-only" -> {
                    runs = 0;   // sections a-c off; f runs --dual-stack-runs times
                    burst = 0;
                }
                case "--dual-stack-runs" -> dualStackRuns = Integer.parseInt(args[++i]);
                case "--sweep" -> sweep = List.of(args[++i].split(","));
                case "--first-sync-only" -> firstSyncOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        sweep.forEach(p -> batchPolicy(p, IptablesBackend.NFT));   // fail on a typo before any run
        List<Metric> rows = new ScaleBench(new Config(size, runs, backends, burst, rate, maxSeconds, singleMax,
                dualStack, dualStackRuns != null ? dualStackRuns : runs, sweep, firstSyncOnly)).run();
        StringBuilder csv = new StringBuilder();
        if (out != null && !Files.exists(out)) {
            csv.append(String.join(",", CSV_HEADER)).append('\n');
        }
        for (Metric m : rows) {
            csv.append(csvLine(m.csv())).append('\n');
        }
        if (out == null) {
            System.out.print(csv);
        } else {
            Files.writeString(out, csv, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.exit(0);   // the sync loop's and the process drainers' pools must not keep us alive
    }

    /** The sync loop logs every sync at INFO, and logback's default is DEBUG: keep the harness output readable. */
    static void quietLogging() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    /** A sweep entry: "auto" (the backend's default), "services:N" or "chains:N". */
    static BatchPolicy batchPolicy(String text, IptablesBackend backend) {
        if (text.equals("auto")) {
            return backend.batchPolicy();
        }
        String[] kv = text.split(":");
        if (kv.length == 2 && kv[0].equals("services")) {
            return BatchPolicy.services(Integer.parseInt(kv[1]));
        }
        if (kv.length == 2 && kv[0].equals("chains")) {
            return BatchPolicy.chains(Integer.parseInt(kv[1]));
        }
        throw new IllegalArgumentException("batch policy '" + text + "': expected auto, services:N or chains:N");
    }

    static List<IptablesBackend> parseBackends(String text) {
        List<IptablesBackend> out = new ArrayList<>();
        for (String b : text.split(",")) {
            out.add(IptablesBackend.parse(b.trim()));
        }
        return out;
    }

    public List<Metric> run() {
        int n = config.size();
        ClusterSnapshot base = BenchCluster.snapshot(n);
        for (IptablesBackend backend : config.backends()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.maxSecondsPerBackend());
            for (int r = 0; r < config.runs(); r++) {
                log("size " + n + " " + backend + " run " + (r + 1) + "/" + config.runs() + " (load " + load1() + ")");
                oneRun(backend, base);
                if (System.nanoTime() > deadline && r + 1 < config.runs()) {
                    log("time budget of " + config.maxSecondsPerBackend() + " s spent: " + (r + 1) + " runs");
                    break;
                }
            }
            if (config.burst() > 0) {
                burst(backend, base);
            }
            if (config.dualStack()) {
                ClusterSnapshot dual = BenchCluster.dualStackSnapshot(n);
                long dualDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.maxSecondsPerBackend());
                for (int r = 0; r < config.dualStackRuns(); r++) {
                    log("size " + n + " " + backend + " dual-stack run " + (r + 1) + "/" + config.dualStackRuns());
                    dualStackRun(backend, dual);
                    if (System.nanoTime() > dualDeadline && r + 1 < config.dualStackRuns()) {
                        log("dual-stack time budget of " + config.maxSecondsPerBackend() + " s spent: " + (r + 1) + " runs");
                        break;
                    }
                }
            }
        }
        memory();
        return new ArrayList<>(metrics.values());
    }

    private Metric metric(String section, String name, IptablesBackend backend, String unit, String note) {
        String b = backend == null ? "" : backend.toString();
        return metrics.computeIfAbsent(section + "|" + name + "|" + b,
                k -> new Metric(section, name, b, config.size(), unit, note));
    }

    /** a. first full sync (staged, the sweep, single payload, floor); b. four partial syncs vs upstream-style; c. read. */
    private void oneRun(IptablesBackend backend, ClusterSnapshot base) {
        int n = config.size();
        // a. first full sync, staged in batches as the daemon does by default.
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            CommandIptablesRestorer restorer = new CommandIptablesRestorer(runner, backend, ScaleBench.LOCK_WAIT_SECONDS);
            IptablesSyncer syncer = new IptablesSyncer(V4, restorer, new ToolNfacctCounters(runner),
                    backend.batchPolicy());
            // The daemon's planner: the first plan renders everything, later ones only what changed.
            IncrementalIptablesPlanner planner = new IncrementalIptablesPlanner();
            long t0 = System.nanoTime();
            IptablesPlan plan = planner.plan(base, options);
            IptablesSyncer.Result full = syncer.sync(plan, true);
            double ms = millis(t0);
            metric("a. first full sync", FULL_SYNC, backend, "ms", "plan + iptables-save + diff + " + full.writes()
                    + " restores (" + backend.batchPolicy() + ")").add(ms);
            metric("a. first full sync", "svcproxy payload, staged", backend, "bytes", "").add(full.payloadBytes());
            if (!config.firstSyncOnly()) {
                partialsAndRead(backend, base, runner, restorer, syncer, planner, plan);
            }
        }
        for (String policy : config.sweep()) {
            sweep(backend, base, policy);
        }
        // a. the same sync as one payload (iptables-nft-restore --noflush is superlinear in payload size:
        // 5000 services as one payload had not finished after 9 minutes, so large sizes skip it by default).
        if (n > config.singlePayloadMax()) {
            Metric skipped = metric("a. first full sync", "svcproxy, single payload (unbatched)", backend, "ms",
                    "not run above " + config.singlePayloadMax() + " services (--single-max)");
            skipped.loadMax = Math.max(skipped.loadMax, load1());
        } else {
            singlePayload(backend, base);
        }
        // a. the floor: the complete rules by a plain flushing iptables-restore into an empty namespace.
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            IptablesPlan plan = IptablesPlanner.plan(base, options);
            new ToolNfacctCounters(runner).ensure(plan.nfacctCounters());
            byte[] payload = CompletePayload.toText(plan).getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            restore(runner, backend, false, payload);
            metric("a. first full sync", "floor: plain iptables-restore of the complete payload", backend, "ms",
                    "kernel + tool only").add(millis(t0));
            metric("a. first full sync", "floor payload", backend, "bytes", "").add(payload.length);
        }
    }

    /**
     * f. dual-stack: the first full sync of both families (an IptablesSyncer per family, as the daemon
     * runs them: IPv4 then IPv6, staged) into an empty namespace, one pod (an endpoint per family)
     * added and removed, and the floor: plain flushing iptables-restore + ip6tables-restore of both
     * complete payloads.
     */
    private void dualStackRun(IptablesBackend backend, ClusterSnapshot dual) {
        String f = "f. dual-stack";
        int n = config.size();
        List<PlannerOptions> opts = List.of(options, PlannerOptions.defaults(IpFamily.V6, BenchCluster.NODE));
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            CommandIptablesRestorer restorer = new CommandIptablesRestorer(runner, backend, ScaleBench.LOCK_WAIT_SECONDS);
            ToolNfacctCounters nfacct = new ToolNfacctCounters(runner);
            List<IptablesSyncer> syncers = List.of(new IptablesSyncer(V4, restorer, nfacct, backend.batchPolicy()),
                    new IptablesSyncer(IpFamily.V6, restorer, nfacct, backend.batchPolicy()));
            long[] bytes = {0};
            double ms = dualSync(syncers, opts, dual, true, "first full sync", backend, bytes);
            metric(f, "first full sync, both families: svcproxy, staged", backend, "ms",
                    "IPv4 then IPv6: plan + iptables-save + diff + restores, per family").add(ms);
            metric(f, "first full sync, both families: svcproxy payload", backend, "bytes", "").add(bytes[0]);
            ServicePortName svc = BenchCluster.name(n / 2);
            bytes[0] = 0;
            ms = dualSync(syncers, opts, BenchCluster.withExtraPod(dual, svc, 0), false, "pod added", backend, bytes);
            metric(f, "pod added (an endpoint per family): svcproxy", backend, "ms",
                    "plan + diff + 1 restore --noflush per family").add(ms);
            metric(f, "pod added (an endpoint per family): svcproxy payload", backend, "bytes", "").add(bytes[0]);
            bytes[0] = 0;
            ms = dualSync(syncers, opts, dual, false, "pod removed", backend, bytes);
            metric(f, "pod removed: svcproxy", backend, "ms", "plan + diff + 1 restore --noflush per family").add(ms);
            metric(f, "pod removed: svcproxy payload", backend, "bytes", "").add(bytes[0]);
        }
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            List<byte[]> payloads = new ArrayList<>();
            long total = 0;
            for (PlannerOptions o : opts) {
                IptablesPlan plan = IptablesPlanner.plan(dual, o);
                new ToolNfacctCounters(runner).ensure(plan.nfacctCounters());
                byte[] p = CompletePayload.toText(plan).getBytes(StandardCharsets.UTF_8);
                payloads.add(p);
                total += p.length;
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < opts.size(); i++) {
                restore(runner, backend, opts.get(i).family(), false, payloads.get(i));
            }
            metric(f, "floor: plain iptables-restore + ip6tables-restore of both complete payloads", backend, "ms",
                    "kernel + tool only").add(millis(t0));
            metric(f, "floor payload, both families", backend, "bytes", "").add(total);
        }
    }

    /** Plans and syncs each family in turn; returns the total ms, adds a per-family ms row and the bytes. */
    private double dualSync(List<IptablesSyncer> syncers, List<PlannerOptions> opts, ClusterSnapshot snapshot,
                            boolean full, String what, IptablesBackend backend, long[] bytes) {
        long t0 = System.nanoTime();
        for (int i = 0; i < syncers.size(); i++) {
            long t1 = System.nanoTime();
            IptablesSyncer.Result r = syncers.get(i).sync(IptablesPlanner.plan(snapshot, opts.get(i)), full);
            if (!full && r.writes() != 1) {
                throw new IllegalStateException("dual-stack " + what + ": expected one write per family, got " + r);
            }
            bytes[0] += r.payloadBytes();
            metric("f. dual-stack", what + ": " + syncers.get(i).family().kubernetesName() + " part", backend, "ms",
                    full ? r.writes() + " restores" : "1 restore --noflush").add(millis(t1));
        }
        return millis(t0);
    }

    /** b. four partial syncs on the programmed namespace, each beside the upstream-style payload; c. read. */
    private void partialsAndRead(IptablesBackend backend, ClusterSnapshot base, CommandRunner runner,
                                 CommandIptablesRestorer restorer, IptablesSyncer syncer,
                                 IncrementalIptablesPlanner planner, IptablesPlan plan) {
        int n = config.size();
        // b. partial syncs on the programmed namespace, each beside the upstream-style payload.
        ServicePortName svc = BenchCluster.name(n / 2);
        ClusterSnapshot plus = BenchCluster.withExtraEndpoint(base, svc, 0);
        ClusterSnapshot withNew = BenchCluster.withService(base, n);
        IptablesPlan current = plan;
        current = partial("endpoint added", backend, runner, syncer, planner, current, plus, svc);
        IptablesPlan planPlus = current;
        current = partial("endpoint removed", backend, runner, syncer, planner, current, base, svc);
        IptablesPlan planBase = current;
        current = partial("service added", backend, runner, syncer, planner, current, withNew, BenchCluster.name(n));
        current = partial("service removed", backend, runner, syncer, planner, current, base, BenchCluster.name(n));
        kernelFloorOfAPartialSync(backend, runner, planBase, planPlus);

        // c. verification read.
        long t1 = System.nanoTime();
        CommandRunner.Result save = runner.run(List.of(backend.save(V4)), Duration.ofMinutes(2));
        double execMs = millis(t1);
        if (!save.ok()) {
            throw new IllegalStateException(save.describe());
        }
        long t2 = System.nanoTime();
        SaveParser.parse(V4, save.stdout());
        double parseMs = millis(t2);
        long t3 = System.nanoTime();
        restorer.save(V4);
        double readMs = millis(t3);
        metric("c. verification read", "iptables-save + SaveParser (restorer.save)", backend, "ms", "").add(readMs);
        metric("c. verification read", "iptables-save alone", backend, "ms", "").add(execMs);
        metric("c. verification read", "SaveParser alone", backend, "ms", "").add(parseMs);
        metric("c. verification read", "iptables-save output", backend, "bytes", "")
                .add(save.stdout().getBytes(StandardCharsets.UTF_8).length);
    }

    /** a. the first full sync with another batch policy (fixed sizes beside the adaptive default). */
    private void sweep(IptablesBackend backend, ClusterSnapshot base, String policyText) {
        BatchPolicy policy = batchPolicy(policyText, backend);
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            IptablesSyncer syncer = new IptablesSyncer(V4, new CommandIptablesRestorer(runner, backend,
                    ScaleBench.LOCK_WAIT_SECONDS), new ToolNfacctCounters(runner), policy);
            long t0 = System.nanoTime();
            IptablesSyncer.Result r = syncer.sync(IptablesPlanner.plan(base, options), true);
            double ms = millis(t0);
            String label = policyText.equals("auto") ? "auto, " + policy : policy.toString();
            metric("a. first full sync", SWEEP + label, backend, "ms", "plan + iptables-save + diff + "
                    + r.writes() + " restores").add(ms);
        }
    }

    private void singlePayload(IptablesBackend backend, ClusterSnapshot base) {
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            IptablesSyncer syncer = new IptablesSyncer(V4, new CommandIptablesRestorer(runner, backend, ScaleBench.LOCK_WAIT_SECONDS),
                    new ToolNfacctCounters(runner), Integer.MAX_VALUE);
            long t0 = System.nanoTime();
            IptablesPlan plan = IptablesPlanner.plan(base, options);
            syncer.sync(plan, true);
            metric("a. first full sync", "svcproxy, single payload (unbatched)", backend, "ms",
                    "plan + iptables-save + diff + 1 restore").add(millis(t0));
        }
    }

    private IptablesPlan partial(String what, IptablesBackend backend, CommandRunner runner, IptablesSyncer syncer,
                                 IncrementalIptablesPlanner planner, IptablesPlan previous, ClusterSnapshot next,
                                 ServicePortName changed) {
        long t0 = System.nanoTime();
        IptablesPlan plan = planner.plan(next, options);
        IptablesSyncer.Result r = syncer.sync(plan, false);
        double ms = millis(t0);
        if (r.writes() != 1) {
            throw new IllegalStateException(what + ": expected one write, got " + r);
        }
        metric("b. partial sync", what + ": svcproxy", backend, "ms", "plan + diff + 1 restore --noflush").add(ms);
        metric("b. partial sync", what + ": svcproxy payload", backend, "bytes", "").add(r.payloadBytes());
        byte[] upstream = upstreamPartial(previous, plan, changed).getBytes(StandardCharsets.UTF_8);
        long t1 = System.nanoTime();
        restore(runner, backend, true, upstream);
        metric("b. partial sync", what + ": upstream-style payload, restore only", backend, "ms",
                "shared chains rewritten; no planning counted").add(millis(t1));
        metric("b. partial sync", what + ": upstream-style payload", backend, "bytes", "").add(upstream.length);
        return plan;
    }

    /**
     * b. What the tool and the kernel alone cost for a partial sync on the programmed namespace: our
     * one-endpoint payloads (added, then removed again) restored with --noflush, an empty nat
     * payload (the tool's fixed cost: start, cache fetch, commit), and {@code ip netns exec} of a
     * no-op command (the harness's own share, in every restore above).
     */
    private void kernelFloorOfAPartialSync(IptablesBackend backend, CommandRunner runner, IptablesPlan base,
                                           IptablesPlan plus) {
        byte[] add = RulesetDiff.diff(base.desired(), plus).payload().getBytes(StandardCharsets.UTF_8);
        byte[] remove = RulesetDiff.diff(plus.desired(), base).payload().getBytes(StandardCharsets.UTF_8);
        byte[] empty = "*nat\nCOMMIT\n".getBytes(StandardCharsets.UTF_8);
        String section = "b. partial sync";
        long t0 = System.nanoTime();
        restore(runner, backend, true, add);
        metric(section, "kernel floor: endpoint-added payload alone, restore --noflush", backend, "ms",
                add.length + " bytes; no planning").add(millis(t0));
        long t1 = System.nanoTime();
        restore(runner, backend, true, remove);
        metric(section, "kernel floor: endpoint-removed payload alone, restore --noflush", backend, "ms",
                remove.length + " bytes; no planning").add(millis(t1));
        long t2 = System.nanoTime();
        restore(runner, backend, true, empty);
        metric(section, "kernel floor: empty nat payload, restore --noflush", backend, "ms",
                "the tool's fixed cost on this ruleset").add(millis(t2));
        long t3 = System.nanoTime();
        CommandRunner.Result r = runner.run(List.of("true"), Duration.ofMinutes(1));
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
        metric(section, "ip netns exec of a no-op command", backend, "ms", "harness overhead in every restore")
                .add(millis(t3));
    }

    private static void restore(CommandRunner runner, IptablesBackend backend, boolean noflush, byte[] payload) {
        restore(runner, backend, V4, noflush, payload);
    }

    private static void restore(CommandRunner runner, IptablesBackend backend, IpFamily family, boolean noflush,
                                byte[] payload) {
        List<String> argv = new ArrayList<>(List.of(backend.restore(family)));
        if (noflush) {
            argv.add("--noflush");
        }
        argv.addAll(List.of("-w", Integer.toString(LOCK_WAIT_SECONDS), "-W", "100000"));
        CommandRunner.Result r = runner.run(argv, (OutputStream out) -> {
            try {
                out.write(payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Duration.ofMinutes(5));
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
    }

    /**
     * What kube-proxy's iptables mode writes for a sync in which only {@code changed} changed: the
     * filter and nat tables with every one of its node-wide chains declared and rewritten in full
     * (KUBE-SERVICES, KUBE-NODEPORTS, KUBE-POSTROUTING, KUBE-MARK-MASQ, KUBE-FORWARD, ...), the
     * changed service's chains declared and rewritten, and its chains that are gone declared and
     * deleted (-X). Built-in chains and the canary are left alone, as kube-proxy does.
     */
    static String upstreamPartial(IptablesPlan previous, IptablesPlan plan, ServicePortName changed) {
        StringBuilder out = new StringBuilder();
        for (String tableName : List.of(KubeChains.FILTER, KubeChains.NAT)) {
            Table table = plan.desired().table(tableName);
            Table before = previous.desired().table(tableName);
            out.append('*').append(tableName).append('\n');
            List<Chain> written = new ArrayList<>();
            for (Chain chain : table.chains().values()) {
                ServicePortName owner = plan.chainOwners().get(chain.name());
                if (chain.builtin() || chain.name().equals(KubeChains.PROXY_CANARY)
                        || (owner != null && !owner.equals(changed))) {
                    continue;
                }
                written.add(chain);
                out.append(':').append(chain.name()).append(" - [0:0]\n");
            }
            List<String> gone = new ArrayList<>();
            if (before != null) {
                for (Chain chain : before.chains().values()) {
                    if (changed.equals(previous.chainOwners().get(chain.name())) && table.chain(chain.name()) == null) {
                        gone.add(chain.name());
                        out.append(':').append(chain.name()).append(" - [0:0]\n");
                    }
                }
            }
            for (Chain chain : written) {
                for (String rule : chain.rules()) {
                    out.append("-A ").append(chain.name()).append(' ').append(rule).append('\n');
                }
            }
            for (String chain : gone) {
                out.append("-X ").append(chain).append('\n');
            }
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    /** d. a burst of endpoint changes at a steady rate through the daemon's SyncLoop (min-sync-period 1 s). */
    private void burst(IptablesBackend backend, ClusterSnapshot base) {
        int n = config.size();
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            IptablesSyncer syncer = new IptablesSyncer(V4, new CommandIptablesRestorer(runner, backend, ScaleBench.LOCK_WAIT_SECONDS),
                    new ToolNfacctCounters(runner), backend.batchPolicy());
            BurstSource source = new BurstSource(base);
            IncrementalIptablesPlanner planner = new IncrementalIptablesPlanner();
            IptablesDataplane proxy = new IptablesDataplane(source, (snapshot, family) -> planner.plan(snapshot, options),
                    List.of(syncer), filters -> 0, (a, b) -> List.of());
            SyncLoop loop = new SyncLoop(proxy, Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofHours(1));
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            List<Double> syncMs = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch all = new CountDownLatch(config.burst());
            loop.setObserver(new SyncObserver() {
                @Override
                public void syncSucceeded(SyncReport report) {
                    Instant now = Instant.now();
                    if (first.getCount() > 0) {
                        first.countDown();
                        return;
                    }
                    syncMs.add(report.took().toNanos() / 1e6);
                    for (TriggerTime t : report.triggerTimes()) {
                        latencies.add(Duration.between(t.at(), now).toNanos() / 1e6);
                        all.countDown();
                    }
                }
            });
            Thread thread = new Thread(loop, "bench-sync-loop");
            thread.setDaemon(true);
            thread.start();
            try {
                if (!first.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the initial full sync did not finish");
                }
                long periodNanos = (long) (1e9 / config.rate());
                long start = System.nanoTime();
                for (int i = 0; i < config.burst(); i++) {
                    long due = start + i * periodNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    ServicePortName svc = BenchCluster.name((int) ((i * 7919L) % n));
                    List<Endpoint> eps = new ArrayList<>(base.endpointsOf(svc));
                    eps.set(0, BenchCluster.extraEndpoint(i));
                    source.change(svc, eps);
                    loop.requestSync();
                }
                if (!all.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("only " + latencies.size() + " of " + config.burst()
                            + " changes reached the kernel");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                loop.stop();
                try {
                    thread.join(TimeUnit.MINUTES.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<Double> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            String note = config.burst() + " changes at " + fmt(config.rate()) + "/s, " + syncMs.size() + " syncs";
            fixed("d. burst", "network programming latency p50", backend, "ms", note,
                    percentile(sorted, 50), sorted.size());
            fixed("d. burst", "network programming latency p99", backend, "ms", note,
                    percentile(sorted, 99), sorted.size());
            fixed("d. burst", "network programming latency max", backend, "ms", note,
                    sorted.get(sorted.size() - 1), sorted.size());
            List<Double> took = new ArrayList<>(syncMs);
            Collections.sort(took);
            fixed("d. burst", "sync duration p50 (in the loop)", backend, "ms", note, percentile(took, 50), took.size());
        }
    }

    private void fixed(String section, String name, IptablesBackend backend, String unit, String note, double value,
                       int count) {
        Metric m = metric(section, name, backend, unit, note);
        m.fixed = value;
        m.fixedCount = count;
        m.loadMax = Math.max(m.loadMax, load1());
    }

    /** e. peak RSS and heap at the end of the run (after the size's syncs on every backend). */
    private void memory() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        String flags = String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
        String note = "JVM flags: " + (flags.isEmpty() ? "(none)" : flags);
        fixed("e. memory", "peak RSS (VmHWM)", null, "MiB", note, status("VmHWM") / 1024.0, 1);
        fixed("e. memory", "RSS at the end (VmRSS)", null, "MiB", note, status("VmRSS") / 1024.0, 1);
        fixed("e. memory", "heap used after GC", null, "MiB", note, (rt.totalMemory() - rt.freeMemory()) / 1048576.0, 1);
        fixed("e. memory", "heap committed", null, "MiB", note, rt.totalMemory() / 1048576.0, 1);
    }

    /** A /proc/self/status field in kB. */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static double median(List<Double> sorted) {
        int k = sorted.size();
        return k % 2 == 1 ? sorted.get(k / 2) : (sorted.get(k / 2 - 1) + sorted.get(k / 2)) / 2;
    }

    static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format("%.0f", v);
        }
        return Math.abs(v) >= 10 ? String.format("%.1f", v) : Math.abs(v) >= 1 ? String.format("%.2f", v)
                : String.format("%.3g", v);   // three significant digits for small figures (0.00123)
    }

    static String csvLine(String[] fields) {
        List<String> out = new ArrayList<>();
        for (String f : fields) {
            out.add(f.contains(",") || f.contains("\"") ? "\"" + f.replace("\"", "\"\"") + "\"" : f);
        }
        return String.join(",", out);
    }

    static void log(String message) {
        System.err.println("[ScaleBench] " + message);
    }

    /** The desired state of the burst: the base cluster with per-service endpoint overrides. */
    static final class BurstSource implements SnapshotSource {
        private final ClusterSnapshot base;
        private final Map<ServicePortName, List<Endpoint>> overrides = new ConcurrentHashMap<>();
        private final List<TriggerTime> triggers = new ArrayList<>();

        BurstSource(ClusterSnapshot base) {
            this.base = base;
        }

        void change(ServicePortName svc, List<Endpoint> endpoints) {
            overrides.put(svc, endpoints);
            synchronized (triggers) {
                triggers.add(new TriggerTime(IpFamily.V4, Instant.now()));   // the synthetic cluster is IPv4
            }
        }

        @Override
        public void start(Runnable onChange) {
        }

        @Override
        public ClusterSnapshot current() {
            Map<ServicePortName, List<Endpoint>> eps = new java.util.HashMap<>(base.endpoints());
            eps.putAll(overrides);
            return new ClusterSnapshot(base.services(), eps, base.node(), base.warnings());
        }

        @Override
        public List<TriggerTime> takeTriggerTimes() {
            synchronized (triggers) {
                List<TriggerTime> out = List.copyOf(triggers);
                triggers.clear();
                return out;
            }
        }

        @Override
        public void close() {
        }
    }

}
