package io.svcproxy.bench;

import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.nfacct.ToolNfacctCounters;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.testing.NamespacedCommandRunner;
import io.svcproxy.testing.NetNs;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's memory for one JVM flag set: run in a child JVM started with those flags (by
 * {@link BenchMain}'s memory phase), it does what the daemon does after start-up at N services x
 * 10 endpoints on one iptables backend, in a fresh namespace: the first full sync (batched), then a
 * partial sync (one endpoint added), and keeps what the daemon keeps between syncs (the snapshot,
 * the syncer's remembered ruleset and last plan) while it measures the peak RSS (VmHWM), the RSS
 * now, and the heap used after a full GC. The daemon's informer caches are not part of it.
 *
 * <p>Usage: {@code MemoryBench --size N [--backend nft] [--label TEXT] [--out FILE.csv]}.
 */
public final class MemoryBench {
    static final String SECTION = "h. memory by JVM flags";

    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        ScaleBench.quietLogging();
        int size = 100;
        IptablesBackend backend = IptablesBackend.NFT;
        String label = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--backend" -> backend = IptablesBackend.parse(args[++i]);
                case "--label" -> label = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (label == null) {
            label = flags();
        }
        StringBuilder csv = new StringBuilder();
        for (ScaleBench.Metric m : run(size, backend, label)) {
            csv.append(ScaleBench.csvLine(m.csv())).append('\n');
        }
        if (out == null) {
            System.out.print(csv);
        } else {
            if (!Files.exists(out)) {
                csv.insert(0, String.join(",", ScaleBench.CSV_HEADER) + "\n");
            }
            Files.writeString(out, csv, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.exit(0);
    }

    /** The JVM flags this process was started with (the row's note). */
    static String flags() {
        List<String> in = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        in.removeIf(a -> a.startsWith("-Dsvcproxy.bench"));
        return in.isEmpty() ? "(no flags)" : String.join(" ", in);
    }

    static List<ScaleBench.Metric> run(int size, IptablesBackend backend, String label) {
        ClusterSnapshot snapshot = BenchCluster.snapshot(size);
        PlannerOptions options = PlannerOptions.defaults(IpFamily.V4, BenchCluster.NODE);
        List<ScaleBench.Metric> rows = new ArrayList<>();
        String note = "JVM flags: " + label;
        try (NetNs ns = NetNs.create()) {
            CommandRunner runner = new NamespacedCommandRunner(ns);
            IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, new CommandIptablesRestorer(runner, backend, ScaleBench.LOCK_WAIT_SECONDS),
                    new ToolNfacctCounters(runner), backend.batchPolicy());
            long t0 = System.nanoTime();
            IptablesPlan plan = IptablesPlanner.plan(snapshot, options);
            syncer.sync(plan, true);
            double fullMs = ScaleBench.millis(t0);
            ClusterSnapshot next = BenchCluster.withExtraEndpoint(snapshot, BenchCluster.name(size / 2), 0);
            long t1 = System.nanoTime();
            IptablesPlan nextPlan = IptablesPlanner.plan(next, options);
            IptablesSyncer.Result partial = syncer.sync(nextPlan, false);
            double partialMs = ScaleBench.millis(t1);
            if (partial.writes() != 1) {
                throw new IllegalStateException("the partial sync wrote " + partial.writes() + " payloads");
            }
            // What stays reachable between syncs in the daemon: the snapshot, the last plan, the syncer's state.
            System.gc();
            System.gc();
            MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
            double heapUsed = mx.getHeapMemoryUsage().getUsed() / 1048576.0;
            double heapCommitted = mx.getHeapMemoryUsage().getCommitted() / 1048576.0;
            double nonHeap = mx.getNonHeapMemoryUsage().getUsed() / 1048576.0;
            rows.add(row(size, backend, "first full sync", "ms", note, fullMs));
            rows.add(row(size, backend, "partial sync (one endpoint added)", "ms", note, partialMs));
            rows.add(row(size, backend, "peak RSS (VmHWM)", "MiB", note, ScaleBench.status("VmHWM") / 1024.0));
            rows.add(row(size, backend, "RSS after the syncs and a GC (VmRSS)", "MiB", note,
                    ScaleBench.status("VmRSS") / 1024.0));
            rows.add(row(size, backend, "heap used after GC (live set)", "MiB", note, heapUsed));
            rows.add(row(size, backend, "heap committed", "MiB", note, heapCommitted));
            rows.add(row(size, backend, "non-heap used (metaspace, code cache)", "MiB", note, nonHeap));
            // Keeps them reachable up to here, as the daemon does.
            if (nextPlan.desired().tables().isEmpty() || next.services().isEmpty() || syncer.family() == null) {
                throw new IllegalStateException("empty plan");
            }
        }
        return rows;
    }

    private static ScaleBench.Metric row(int size, IptablesBackend backend, String metric, String unit, String note,
                                         double value) {
        ScaleBench.Metric m = new ScaleBench.Metric(SECTION, metric, backend.toString(), size, unit, note);
        m.fixed = value;
        m.fixedCount = 1;
        m.loadMax = ScaleBench.load1();
        return m;
    }
}
