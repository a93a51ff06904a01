package io.svcproxy.bench;

import io.svcproxy.apply.nftables.NftablesDataplane;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.netlink.nftables.NetlinkNftKernel;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.nftables.NftText;
import io.svcproxy.plan.nftables.NftablesOptions;
import io.svcproxy.plan.nftables.NftablesPlanner;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * nftables mode at scale, in process, against the real kernel: N ClusterIP services x 10 endpoints,
 * each run in a fresh network namespace (deleted in finally). Our NftablesDataplane with the real
 * netlink kernel (plan, diff, one batch per sync) is timed per step, beside what nft itself takes
 * to load the same complete ruleset into an empty namespace (the kernel's floor with nft's own
 * encoder) and what `nft --json list table` costs for our table (the read upstream's nftables mode
 * runs before each sync; the number is for that read on this machine, not a run of upstream).
 *
 * <p>Usage: {@code NftScaleBench --size N [--runs 5] [--burst 200] [--out FILE.csv]}; CSV rows like
 * ScaleBench's (stdout without --out). Needs root.
 */
public final class NftScaleBench {
    static final String SECTION = "j. nftables mode in process";
    static final String[] HEADER = {"section", "metric", "backend", "services", "endpoints_per_service", "unit",
        "median", "min", "max", "runs", "load1_max", "note"};

    private NftScaleBench() {
    }

    /** A snapshot holder the dataplane reads, swapped by the bench between syncs. */
    private static final class Holder implements SnapshotSupplier {
        volatile ClusterSnapshot snapshot;

        @Override
        public ClusterSnapshot current() {
            return snapshot;
        }
    }

    public static void main(String[] args) {
        int size = 1000;
        int runs = 5;
        int burst = 200;
        String out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = args[++i];
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        StringBuilder csv = new StringBuilder(String.join(",", HEADER)).append('\n');
        for (String[] row : run(size, runs, burst)) {
            csv.append(ScaleBench.csvLine(row)).append('\n');
        }
        if (out == null) {
            System.out.print(csv);
        } else {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(out), csv);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The CSV rows (HEADER's columns) of one size. */
    public static List<String[]> run(int size, int runs, int burst) {
        Map<String, List<Double>> ms = new TreeMap<>();
        Map<String, String> notes = new HashMap<>();
        double load = 0;
        for (int r = 0; r < runs; r++) {
            oneRun(size, burst, ms, notes);
            load = Math.max(load, ScaleBenchLoad.load1());
        }
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            String metric = e.getKey().substring(e.getKey().indexOf(' ') + 1);
            rows.add(new String[] {SECTION, metric, "nf_tables netlink", Integer.toString(size),
                "10", "ms", fmt(v.get(v.size() / 2)), fmt(v.get(0)), fmt(v.get(v.size() - 1)),
                Integer.toString(runs), fmt(load), notes.getOrDefault(e.getKey(), "")});
        }
        return rows;
    }

    private static void oneRun(int size, int burst, Map<String, List<Double>> ms, Map<String, String> notes) {
        ClusterSnapshot base = BenchCluster.snapshot(size);
        PlannerOptions opts = PlannerOptions.defaults(IpFamily.V4, BenchCluster.NODE);
        Holder holder = new Holder();
        holder.snapshot = base;
        try (NetNs ns = NetNs.create();
             NetlinkNftKernel kernel = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get());
             NftablesDataplane dp = new NftablesDataplane(holder, kernel, List.of(IpFamily.V4),
                     (s, f) -> NftablesOptions.of(opts), filters -> 0, (a, b) -> List.of())) {
            SyncReport first = timed(ms, "1 first full sync (plan, read, diff, one batch)", () -> dp.sync(true));
            notes.put("1 first full sync (plan, read, diff, one batch)", first.payloadBytes() + " bytes");
            timed(ms, "2 full resync, nothing changed (dump + diff)", () -> dp.sync(true));
            timed(ms, "2b full resync again (the DNAT maps read before are not dumped again)", () -> dp.sync(true));

            ServicePortName svc = BenchCluster.name(size / 2);
            holder.snapshot = BenchCluster.withExtraEndpoint(base, svc, 0);
            SyncReport one = timed(ms, "3 one endpoint added (partial sync)", () -> dp.sync(false));
            notes.put("3 one endpoint added (partial sync)", one.payloadBytes() + " bytes");

            ClusterSnapshot withNew = BenchCluster.withService(holder.snapshot, size);
            holder.snapshot = withNew;
            SyncReport added = timed(ms, "4 new service with 10 endpoints (partial sync)", () -> dp.sync(false));
            notes.put("4 new service with 10 endpoints (partial sync)", added.payloadBytes() + " bytes");

            holder.snapshot = without(withNew, BenchCluster.name(size));
            timed(ms, "5 service deleted (partial sync)", () -> dp.sync(false));

            List<Double> syncs = new ArrayList<>();
            ClusterSnapshot s = holder.snapshot;
            for (int i = 0; i < burst; i++) {
                s = BenchCluster.withExtraEndpoint(s, BenchCluster.name(i * 7919 % size), i + 1);
                holder.snapshot = s;
                long t0 = System.nanoTime();
                dp.sync(false);
                syncs.add((System.nanoTime() - t0) / 1e6);
            }
            Collections.sort(syncs);
            add(ms, "6 burst: one endpoint per sync, p50", syncs.get(syncs.size() / 2));
            add(ms, "6 burst: one endpoint per sync, p99", syncs.get((int) Math.min(syncs.size() - 1,
                    Math.ceil(syncs.size() * 0.99) - 1)));

            String rendered = NftText.render(List.of(NftablesPlanner.planFamily(base, NftablesOptions.of(opts)).table()));
            try (NetNs empty = NetNs.create()) {
                long t0 = System.nanoTime();
                empty.runChecked(List.of("nft", "-f", "-"), rendered);
                add(ms, "7 floor: nft -f of the complete table into an empty namespace", (System.nanoTime() - t0) / 1e6);
            }
            long t0 = System.nanoTime();
            ns.runChecked("nft", "--json", "list", "table", "ip", "kube-proxy");
            add(ms, "8 nft --json list table (the read upstream runs before each sync)", (System.nanoTime() - t0) / 1e6);
        }
    }

    private static ClusterSnapshot without(ClusterSnapshot s, ServicePortName name) {
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>(s.services());
        svcs.remove(name);
        Map<ServicePortName, List<io.svcproxy.model.Endpoint>> eps = new HashMap<>(s.endpoints());
        eps.remove(name);
        return new ClusterSnapshot(svcs, eps, s.node(), s.warnings());
    }

    private static <T> T timed(Map<String, List<Double>> ms, String metric, java.util.function.Supplier<T> step) {
        long t0 = System.nanoTime();
        T out = step.get();
        add(ms, metric, (System.nanoTime() - t0) / 1e6);
        return out;
    }

    private static void add(Map<String, List<Double>> ms, String metric, double value) {
        ms.computeIfAbsent(metric, k -> new ArrayList<>()).add(value);
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    /** The machine's 1-minute load, noted beside each row as ScaleBench does. */
    static final class ScaleBenchLoad {
        static double load1() {
            try {
                return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                        .split(" ")[0]);
            } catch (java.io.IOException | RuntimeException e) {
                return -1;
            }
        }
    }
}
