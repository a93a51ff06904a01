package io.svcproxy.bench;

import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesRestorer;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.ipvs.CommandIpsets;
import io.svcproxy.apply.ipvs.Ipsets;
import io.svcproxy.apply.ipvs.IpvsDataplane;
import io.svcproxy.apply.ipvs.IpvsSyncSummary;
import io.svcproxy.apply.nfacct.ToolNfacctCounters;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.diff.ipvs.IpsetChanges;
import io.svcproxy.diff.ipvs.IpsetDiff;
import io.svcproxy.diff.ipvs.IpvsDiff;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.ipvs.IpvsKernel;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.netlink.ipvs.ClientIpvsKernel;
import io.svcproxy.netlink.route.KubeIpvsInterface;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;
import io.svcproxy.plan.ipvs.IpvsPlan;
import io.svcproxy.plan.ipvs.IpvsPlanner;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.source.SnapshotSource;
import io.svcproxy.testing.NamespacedCommandRunner;
import io.svcproxy.testing.NetNs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * IPVS mode at scale, run as root inside the IPVS VM (BenchMain starts it there through
 * shared/tools/run-in-ipvs-vm.sh; the host kernel has no IPVS): N ClusterIP services x 10 endpoints
 * programmed by the daemon's {@link IpvsDataplane} with the real edges (ipset tool, iptables glue through
 * {@link CommandIptablesRestorer}, IPVS and kube-ipvs0 over netlink) in a fresh network namespace
 * per run. Each edge is wrapped in a timer, so the first full sync is split into plan / ipsets /
 * iptables glue / IPVS netlink / the rest. Then one endpoint added and removed (partial syncs):
 * time and netlink requests sent. The floor, in another fresh namespace of the same VM, loads the
 * same state with the plain tools: ipset restore, iptables-restore, ipvsadm-restore, ip -batch.
 *
 * <p>Usage: {@code IpvsBench --sizes 1000,5000 [--runs 5] [--backend nft] [--max-seconds S] [--out FILE]}.
 */
public final class IpvsBench {
    static final String SECTION = "g. IPVS (emulated VM)";
    static final String VM_NOTE = "QEMU TCG VM (emulated, 1 vCPU, kernel " + System.getProperty("os.version")
            + "): compare only with this VM's floor rows";

    /** Opens the IPVS edge inside a namespace: netlink in the VM, a fake in the harness test. */
    @FunctionalInterface
    public interface KernelFactory {
        ClientIpvsKernel open(NetNs ns);
    }

    private final List<Integer> sizes;
    private final int runs;
    private final IptablesBackend backend;
    private final long maxSecondsPerSize;
    private final KernelFactory kernels;
    private final boolean floor;
    private final Map<String, ScaleBench.Metric> metrics = new LinkedHashMap<>();
    private final Map<String, Long> partNanos = new LinkedHashMap<>();
    private int size;

    public IpvsBench(List<Integer> sizes, int runs, IptablesBackend backend, long maxSecondsPerSize,
                     KernelFactory kernels, boolean floor) {
        this.sizes = List.copyOf(sizes);
        this.runs = runs;
        this.backend = backend;
        this.maxSecondsPerSize = maxSecondsPerSize;
        this.kernels = kernels;
        this.floor = floor;
    }

    /** The production edge: IPVS generic netlink and kube-ipvs0 rtnetlink sockets opened inside {@code ns}. */
    static ClientIpvsKernel netlink(NetNs ns) {
        return NetworkNamespaces.callIn("/run/netns/" + ns.name(), ClientIpvsKernel::open);
    }

    public static void main(String[] args) throws Exception {
        ScaleBench.quietLogging();
        List<Integer> sizes = List.of(1000);
        int runs = 5;
        IptablesBackend backend = IptablesBackend.NFT;
        long maxSeconds = 900;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::valueOf).toList();
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--backend" -> backend = IptablesBackend.parse(args[++i]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        log("kernel " + System.getProperty("os.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPU, max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MiB");
        List<ScaleBench.Metric> rows = new IpvsBench(sizes, runs, backend, maxSeconds, IpvsBench::netlink, true).run();
        StringBuilder csv = new StringBuilder(String.join(",", ScaleBench.CSV_HEADER)).append('\n');
        for (ScaleBench.Metric m : rows) {
            csv.append(ScaleBench.csvLine(m.csv())).append('\n');
        }
        if (out == null) {
            System.out.print(csv);
        } else {
            Files.writeString(out, csv, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            log("wrote " + rows.size() + " rows to " + out);
        }
        System.exit(0);
    }

    public List<ScaleBench.Metric> run() {
        for (int n : sizes) {
            size = n;
            ClusterSnapshot base = BenchCluster.snapshot(n);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSecondsPerSize);
            for (int r = 0; r < runs; r++) {
                log("size " + n + " run " + (r + 1) + "/" + runs + " (load " + ScaleBench.load1() + ")");
                oneRun(base);
                if (floor) {
                    floor(base);
                }
                if (System.nanoTime() > deadline && r + 1 < runs) {
                    log("time budget of " + maxSecondsPerSize + " s spent: " + (r + 1) + " runs");
                    break;
                }
            }
        }
        return new ArrayList<>(metrics.values());
    }

    private ScaleBench.Metric metric(String name, String unit, String note) {
        String b = "ipvs/" + backend;
        return metrics.computeIfAbsent(size + "|" + name, k -> new ScaleBench.Metric(SECTION, name, b, size, unit, note));
    }

    private static IpvsOptions options(IpFamily family) {
        return IpvsOptions.defaults(PlannerOptions.defaults(family, BenchCluster.NODE));
    }

    /**
     * A node's uplink: the kernel refuses (EINVAL) an IPVS destination its routing table cannot reach,
     * so the namespace gets an interface with a default route, as a node has (a veth pair inside it:
     * dummy interfaces do not exist on every kernel the harness test runs on).
     */
    static void uplink(NetNs ns) {
        ns.runChecked(List.of("ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1"), null);
        ns.runChecked(List.of("ip", "addr", "add", "192.168.255.2/24", "dev", "uplink0"), null);
        ns.runChecked(List.of("ip", "link", "set", "uplink0", "up"), null);
        ns.runChecked(List.of("ip", "link", "set", "uplink1", "up"), null);
        ns.runChecked(List.of("ip", "link", "set", "lo", "up"), null);
        ns.runChecked(List.of("ip", "route", "add", "default", "via", "192.168.255.1"), null);
    }

    /** First full sync, split per part; then one endpoint added and removed. */
    private void oneRun(ClusterSnapshot base) {
        try (NetNs ns = NetNs.create()) {
            uplink(ns);
            CommandRunner runner = new NamespacedCommandRunner(ns);
            ClientIpvsKernel kernel = kernels.open(ns);
            try {
                TimedKernel timedKernel = new TimedKernel(kernel);
                MutableSource source = new MutableSource(base);
                IptablesSyncer glue = new IptablesSyncer(IpFamily.V4,
                        new TimedRestorer(new CommandIptablesRestorer(runner, backend, ScaleBench.LOCK_WAIT_SECONDS)), new ToolNfacctCounters(runner),
                        backend.batchPolicy());
                IpvsDataplane syncer = new IpvsDataplane(source, (snapshot, family) -> timed("plan",
                        () -> IpvsPlanner.plan(snapshot, options(family))), List.of(glue),
                        new TimedIpsets(new CommandIpsets(runner)), timedKernel, filters -> 0, IpvsDiff.Scope::defaults,
                        System::currentTimeMillis);

                SyncReport full = measured("first full sync", syncer, kernel, timedKernel, true);
                if (full.detail(IpvsSyncSummary.class).added() < size * (BenchCluster.ENDPOINTS + 2)) {
                    throw new IllegalStateException("first full sync programmed too little: " + full.describe());
                }
                long total = full.took().toNanos();
                long parts = 0;
                for (Map.Entry<String, Long> p : partNanos.entrySet()) {
                    parts += p.getValue();
                    metric("first full sync: " + PART_NAMES.get(p.getKey()), "ms", "").add(p.getValue() / 1e6);
                }
                metric("first full sync: diff, in-memory state and the rest", "ms", "total minus the parts above")
                        .add((total - parts) / 1e6);

                ServicePortName svc = BenchCluster.name(size / 2);
                source.set(BenchCluster.withExtraEndpoint(base, svc, 0));
                measured("endpoint added", syncer, kernel, timedKernel, false);
                source.set(base);
                measured("endpoint removed", syncer, kernel, timedKernel, false);
            } finally {
                kernel.close();
            }
        }
    }

    /** The timed parts, in the order a sync runs them. */
    private static final Map<String, String> PART_NAMES = new LinkedHashMap<>();

    static {
        PART_NAMES.put("plan", "plan (IpvsPlanner)");
        PART_NAMES.put("ipsets", "ipsets (ipset save + restore)");
        PART_NAMES.put("glue", "iptables glue (iptables-save + restore)");
        PART_NAMES.put("ipvs", "IPVS + kube-ipvs0 over netlink (dump + ops)");
    }

    /** One sync with the part timers and message counters reset; rows for what it did. */
    private SyncReport measured(String what, IpvsDataplane syncer, ClientIpvsKernel kernel, TimedKernel timed, boolean full) {
        partNanos.clear();
        for (String part : PART_NAMES.keySet()) {
            partNanos.put(part, 0L);
        }
        timed.reset();
        long genlBefore = kernel.client().messagesSent();
        SyncReport report = syncer.sync(full);
        long genl = kernel.client().messagesSent() - genlBefore;
        String kind = full ? "" : "partial sync: plan + diff + the changed edges only";
        metric(what + ": svcproxy (IpvsSyncer), total", "ms", kind.isEmpty() ? VM_NOTE : kind + "; " + VM_NOTE)
                .add(report.took().toNanos() / 1e6);
        metric(what + ": IPVS generic netlink requests", "messages",
                "one per IPVS operation, one service dump + one destination dump per service when the kernel is read, "
                        + "one destination dump per service whose connection counts decide a removal or drain")
                .add(genl);
        metric(what + ": kube-ipvs0 rtnetlink requests", "messages", "one per address bound or unbound, one dump per read")
                .add(timed.addressOps + timed.reads);
        metric(what + ": IPVS operations", "ops", "services, destinations and addresses added, updated or deleted")
                .add(timed.ops);
        if (!full) {
            metric(what + ": IPVS netlink part", "ms", "kernel read (if any) + ops").add(partNanos.get("ipvs") / 1e6);
            metric(what + ": ipsets part", "ms", "ipset restore of the changed members").add(partNanos.get("ipsets") / 1e6);
        }
        return report;
    }

    /** The same state loaded by the plain tools into a fresh namespace of the same VM. */
    private void floor(ClusterSnapshot base) {
        IpvsPlan plan = IpvsPlanner.plan(base, options(IpFamily.V4));
        try (NetNs ns = NetNs.create()) {
            uplink(ns);
            CommandRunner runner = new NamespacedCommandRunner(ns);
            List<String> setLines = IpsetDiff.diff(IpsetState.empty(), plan.ipsets()).apply();
            long t0 = System.nanoTime();
            tool(runner, List.of("ipset", "restore", "-exist"), IpsetChanges.payload(setLines));
            double ipsetMs = ScaleBench.millis(t0);
            new ToolNfacctCounters(runner).ensure(plan.glue().nfacctCounters());
            long t1 = System.nanoTime();
            tool(runner, List.of(backend.restore(IpFamily.V4), "-w", Integer.toString(ScaleBench.LOCK_WAIT_SECONDS)), CompletePayload.toText(plan.glue()));
            double glueMs = ScaleBench.millis(t1);
            String ipvsadm = ipvsadmText(plan.ipvs());
            long t2 = System.nanoTime();
            tool(runner, List.of("ipvsadm-restore"), ipvsadm);
            double ipvsMs = ScaleBench.millis(t2);
            StringBuilder batch = new StringBuilder("link add " + KubeIpvsInterface.NAME + " type dummy\n");
            for (java.net.InetAddress a : plan.ipvs().boundAddresses()) {
                batch.append("address add ").append(Addresses.format(a)).append("/32 dev ")
                        .append(KubeIpvsInterface.NAME).append('\n');
            }
            long t3 = System.nanoTime();
            tool(runner, List.of("ip", "-batch", "-"), batch.toString());
            double addrMs = ScaleBench.millis(t3);
            metric("floor: ipset restore of the same sets", "ms", "kernel + tool only").add(ipsetMs);
            metric("floor: iptables-restore of the same glue", "ms", "kernel + tool only").add(glueMs);
            metric("floor: ipvsadm-restore of the same services and destinations", "ms",
                    "kernel + tool only; one netlink request per line, like ours").add(ipvsMs);
            metric("floor: ip -batch, kube-ipvs0 and its addresses", "ms", "kernel + tool only").add(addrMs);
            metric("floor: total of the four", "ms", VM_NOTE).add(ipsetMs + glueMs + ipvsMs + addrMs);
            metric("floor: ipvsadm-restore lines", "lines", "").add(ipvsadm.lines().count());

            // One endpoint added by hand: the tool's cost for what our partial sync sends as one request.
            VirtualServer.Key key = plan.ipvs().services().keySet().stream().skip(plan.ipvs().services().size() / 2)
                    .findFirst().orElseThrow();
            RealServer extra = RealServer.of(BenchCluster.extraEndpoint(0).ip(), 8080);
            long t4 = System.nanoTime();
            tool(runner, List.of("ipvsadm", "-a", "-t", Addresses.joinHostPort(key.address(), key.port()), "-r",
                    extra.key(), "-m", "-w", "1"), "");
            metric("endpoint added: floor: one ipvsadm -a", "ms", "one process, one netlink request").add(ScaleBench.millis(t4));
        }
    }

    /** ipvsadm -S format: "-A -t VIP:PORT -s rr" per service, "-a -t VIP:PORT -r EP:PORT -m -w W" per destination. */
    static String ipvsadmText(IpvsState state) {
        StringBuilder out = new StringBuilder();
        for (VirtualServer s : state.services().values()) {
            String proto = s.protocol() == Protocol.TCP ? "-t" : s.protocol() == Protocol.UDP ? "-u" : "--sctp-service";
            String vip = Addresses.joinHostPort(s.address(), s.port());
            out.append("-A ").append(proto).append(' ').append(vip).append(" -s ").append(s.scheduler()).append('\n');
            for (RealServer d : state.destinationsOf(s.key())) {
                out.append("-a ").append(proto).append(' ').append(vip).append(" -r ").append(d.key())
                        .append(" -m -w ").append(d.weight()).append('\n');
            }
        }
        return out.toString();
    }

    private static void tool(CommandRunner runner, List<String> argv, String stdin) {
        byte[] in = stdin.getBytes(StandardCharsets.UTF_8);
        CommandRunner.Result r = runner.run(argv, out -> {
            try {
                out.write(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Duration.ofMinutes(10));
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
    }

    private <T> T timed(String part, java.util.function.Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            partNanos.merge(part, System.nanoTime() - t0, Long::sum);
        }
    }

    private void timedRun(String part, Runnable work) {
        timed(part, () -> {
            work.run();
            return null;
        });
    }

    static void log(String message) {
        System.err.println("[IpvsBench] " + message);
    }

    /** The ipset edge, timed. */
    private final class TimedIpsets implements Ipsets {
        private final Ipsets inner;

        TimedIpsets(Ipsets inner) {
            this.inner = inner;
        }

        @Override
        public IpsetState read() {
            return timed("ipsets", inner::read);
        }

        @Override
        public void restore(List<String> lines) {
            timedRun("ipsets", () -> inner.restore(lines));
        }
    }

    /** The iptables glue's edge, timed (its plan/diff stay in "the rest"). */
    private final class TimedRestorer implements IptablesRestorer {
        private final IptablesRestorer inner;

        TimedRestorer(IptablesRestorer inner) {
            this.inner = inner;
        }

        @Override
        public Ruleset save(IpFamily family) {
            return timed("glue", () -> inner.save(family));
        }

        @Override
        public long restore(IpFamily family, ChangeSet changes) {
            return timed("glue", () -> inner.restore(family, changes));
        }

        @Override
        public boolean chainExists(IpFamily family, String table, String chain) {
            return timed("glue", () -> inner.chainExists(family, table, chain));
        }
    }

    /** The IPVS edge, timed, counting operations, address requests and reads. */
    private final class TimedKernel implements IpvsKernel {
        private final IpvsKernel inner;
        long ops;
        long addressOps;
        long reads;

        TimedKernel(IpvsKernel inner) {
            this.inner = inner;
        }

        void reset() {
            ops = 0;
            addressOps = 0;
            reads = 0;
        }

        @Override
        public IpvsState read() {
            reads++;
            return timed("ipvs", inner::read);
        }

        @Override
        public Map<VirtualServer.Key, List<RealServer>> readDestinations(Collection<VirtualServer.Key> services) {
            return timed("ipvs", () -> inner.readDestinations(services));
        }

        @Override
        public int apply(List<IpvsOp> list) {
            ops += list.size();
            addressOps += list.stream().filter(o -> o instanceof IpvsOp.BindAddress || o instanceof IpvsOp.UnbindAddress)
                    .count();
            return timed("ipvs", () -> inner.apply(list));
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The desired state, set by the harness between syncs. */
    static final class MutableSource implements SnapshotSource {
        private volatile ClusterSnapshot current;

        MutableSource(ClusterSnapshot initial) {
            current = initial;
        }

        void set(ClusterSnapshot next) {
            current = next;
        }

        @Override
        public void start(Runnable onChange) {
        }

        @Override
        public ClusterSnapshot current() {
            return current;
        }

        @Override
        public List<TriggerTime> takeTriggerTimes() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }
}
