package io.svcproxy.bench;

import io.svcproxy.apply.FakeIptables;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IncrementalIptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.apply.IptablesDataplane;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.source.ApiConnection;
import io.svcproxy.source.ApiSnapshotSource;
import io.svcproxy.testing.KubeObjects;
import io.svcproxy.testing.ScriptedApiServer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * i. The initial list from the API: N Services with E endpoints each (one EndpointSlice per Service),
 * served paged by {@link ScriptedApiServer} in this JVM, listed by the real {@link ApiSnapshotSource}
 * (the product's client settings) in a child JVM, so its heap and peak RSS are the source's own:
 * time to the first snapshot, time of the first sync after it (planner and syncer into an in-memory
 * iptables, the kernel's part is ScaleBench's), the live heap holding the informer caches, peak RSS.
 */
public final class ApiListBench {
    static final String SECTION = "k. initial API list";
    static final String JVM_FLAGS = "-Xmx2g";

    private ApiListBench() {
    }

    /** The parent: serves the cluster, runs the child, returns its exit code (rows go to {@code csv}). */
    static int run(int services, int endpointsPerService, Path csv) throws IOException, InterruptedException {
        try (ScriptedApiServer api = new ScriptedApiServer()) {
            for (int i = 0; i < services; i++) {
                String name = "svc-" + i;
                api.put(ScriptedApiServer.Kind.SERVICES, KubeObjects.service("bench", name,
                        "10." + (96 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256), 80), false);
                String[] ips = new String[endpointsPerService];
                for (int e = 0; e < endpointsPerService; e++) {
                    int n = i * endpointsPerService + e;
                    ips[e] = "10." + (128 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256);
                }
                api.put(ScriptedApiServer.Kind.SLICES, KubeObjects.slice("bench", name, name + "-1", 8080, null, ips), false);
            }
            api.put(ScriptedApiServer.Kind.NODES, KubeObjects.node("bench-node", "192.168.1.10"), false);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-XX:+ExitOnOutOfMemoryError", JVM_FLAGS, "-cp",
                    System.getProperty("java.class.path"), ApiListBench.class.getName(), api.url(),
                    Integer.toString(services), Integer.toString(endpointsPerService), csv.toString()));
            System.err.println("[BenchMain] ApiListBench " + services + " services x " + endpointsPerService + " endpoints");
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return -1;
            }
            System.err.println("[BenchMain] ApiListBench: " + api.requests().size() + " requests to the API server");
            return p.exitValue();
        }
    }

    /** The child: {@code URL SERVICES ENDPOINTS_PER_SERVICE CSV}. */
    public static void main(String[] args) throws Exception {
        ScaleBench.quietLogging();
        String url = args[0];
        int services = Integer.parseInt(args[1]);
        int perService = Integer.parseInt(args[2]);
        Path csv = Path.of(args[3]);
        long t0 = System.nanoTime();
        try (ApiSnapshotSource source = new ApiSnapshotSource(new ApiConnection("", url), "bench-node")) {
            source.start(() -> { });
            ClusterSnapshot snapshot = source.current();
            double listMs = ScaleBench.millis(t0);
            if (snapshot.services().size() != services) {
                throw new IllegalStateException(snapshot.services().size() + " services listed, not " + services);
            }
            FakeIptables kernel = new FakeIptables();
            PlannerOptions options = PlannerOptions.defaults(IpFamily.V4, "bench-node");
            IncrementalIptablesPlanner planner = new IncrementalIptablesPlanner();
            IptablesDataplane syncer = new IptablesDataplane(source, (s, f) -> planner.plan(s, options),
                    List.of(new IptablesSyncer(IpFamily.V4, kernel, names -> { }, IptablesBackend.NFT.batchPolicy())),
                    filters -> 0, (a, b) -> List.of());
            long t1 = System.nanoTime();
            SyncReport report = syncer.sync(true);
            double syncMs = ScaleBench.millis(t1);
            System.gc();
            System.gc();
            double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
            String note = "JVM " + JVM_FLAGS + "; paged lists from a stub API server on loopback; in-memory iptables";
            List<ScaleBench.Metric> rows = List.of(
                    row(services, "initial lists to the first snapshot", "ms", note, listMs),
                    row(services, "first full sync after it (planner + syncer into the restore simulator, no kernel)", "ms", note, syncMs),
                    row(services, "time to first sync (sum)", "ms", note, listMs + syncMs),
                    row(services, "heap used after GC (caches, snapshot, plan)", "MiB", note, heap),
                    row(services, "peak RSS (VmHWM)", "MiB", note, ScaleBench.status("VmHWM") / 1024.0));
            StringBuilder out = new StringBuilder();
            if (!Files.exists(csv)) {
                out.append(String.join(",", ScaleBench.CSV_HEADER)).append('\n');
            }
            for (ScaleBench.Metric m : rows) {
                String[] fields = m.csv();
                fields[4] = Integer.toString(perService);
                out.append(ScaleBench.csvLine(fields)).append('\n');
            }
            Files.writeString(csv, out, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.err.println("[ApiListBench] " + services + " services, " + services * perService + " endpoints: list "
                    + Math.round(listMs) + " ms, first sync " + Math.round(syncMs) + " ms (" + report.describe() + "), heap "
                    + Math.round(heap) + " MiB, peak RSS " + ScaleBench.status("VmHWM") / 1024 + " MiB");
        }
        System.exit(0); // the client's threads
    }

    private static ScaleBench.Metric row(int size, String metric, String unit, String note, double value) {
        ScaleBench.Metric m = new ScaleBench.Metric(SECTION, metric, "-", size, unit, note);
        m.fixed = value;
        m.fixedCount = 1;
        m.loadMax = ScaleBench.load1();
        return m;
    }
}
