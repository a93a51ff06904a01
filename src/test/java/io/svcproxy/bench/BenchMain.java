package io.svcproxy.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `make bench`: the JMH benchmarks of the pure core (IPv4 and dual-stack), then {@link ScaleBench}
 * once per size in its own JVM (so each size's peak RSS is its own) with {@link NftScaleBench} beside it,
 * then {@link EndToEndBench} per size
 * (the packaged daemon measured from outside, per mode), then {@link IpvsBench} inside
 * the IPVS VM (shared/tools/run-in-ipvs-vm.sh, one boot for all its sizes), then {@link MemoryBench}
 * once per JVM flag set at the memory size, then {@link BenchReport} writes docs/benchmarks.{md,csv}.
 * A phase that cannot run here (not root, no VM tool) is skipped with a note the report prints.
 *
 * <p>{@code BenchMain [--sizes 1000] [--runs 5] [--burst 1000] [--rate 100] [--forks 1] [--warmup 3]
 * [--iterations 5] [--scale-max-seconds 600] [--single-max 1000] [--sweep auto,services:250,chains:1000]
 * [--work target/bench] [--docs docs] [--skip-jmh]
 * [--skip-scale] [--no-dual-stack] [--report-only] [--jmh-include REGEX] [--ipvs-sizes 1000,5000] [--ipvs-runs N]
 * [--ipvs-max-seconds S] [--skip-ipvs] [--memory-size N] [--memory-flags "SET;SET"] [--skip-memory]
 * [--e2e-modes iptables/nft,iptables/legacy,nftables,ipvs] [--e2e-runs N] [--burst-seconds 60] [--burst-rate 100]
 * [--launcher bin/svcproxy] [--jar target/svcproxy.jar] [--skip-e2e] [--e2e-ipvs-vm]
 * [--api-list-size N] [--api-list-endpoints 10] [--skip-api-list]}
 * Phase i ({@link ApiListBench}) lists N Services with 10 endpoints each from the API (default N: the
 * largest size; 10000 gives the 10k Services and 100k endpoints of a large cluster).
 */
public final class BenchMain {
    static final String SCALE_JVM_FLAGS = "-Xmx2g";
    /** The JVM that runs IpvsBench inside the VM (guest RAM: VM_MEM_MB). */
    static final String IPVS_JVM_FLAGS = "-Xmx1536m";
    static final int VM_MEM_MB = 3072;
    static final String CDS_ARCHIVE = "svcproxy-cds.jsa";
    /** What the chart's JVM sees in its container: JAVA_TOOL_OPTIONS under the default 384Mi memory limit. */
    static final String CHART_JVM = "-XX:+UseSerialGC -XX:MaxRAM=384m -XX:MaxRAMPercentage=75";
    /** bin/svcproxy's JVM defaults (the image's and the chart's too: JvmDefaultsTest). */
    static final String LAUNCHER_JVM = "-XX:+UseSerialGC -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 "
            + "-XX:MaxNewSize=64m -XX:MaxRAMPercentage=75 -XX:TieredStopAtLevel=1";
    /**
     * The memory phase's flag sets. -XX:MaxRAM=384m makes the JVM size its heaps (initial 1/64, max
     * 75%) as it does inside the chart's container, not from this machine's RAM; "{cds}" is replaced
     * by an AppCDS archive this phase dumps first (-XX:ArchiveClassesAtExit).
     */
    static final List<String> MEMORY_FLAG_SETS = List.of(
            "-Xmx2g",
            "-XX:+UseSerialGC -Xmx2g",
            "-XX:+UseG1GC -XX:MaxRAM=384m -XX:MaxRAMPercentage=75",
            CHART_JVM,
            CHART_JVM + " -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20",
            CHART_JVM + " -XX:-CompactStrings",
            CHART_JVM + " -XX:SharedArchiveFile={cds}",
            "-XX:+UseSerialGC -Xmx160m",
            LAUNCHER_JVM,
            LAUNCHER_JVM + " -XX:MaxRAM=512m",
            LAUNCHER_JVM.replace(" -XX:TieredStopAtLevel=1", ""));
    static final String SKIPPED_FILE = "skipped.md";
    /** Rows of {@link ApiListBench} (phase k). */
    static final String API_LIST_CSV = "api-list.csv";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        ScaleBench.quietLogging();
        String sizes = "1000";
        int runs = 5;
        int burst = 1000;
        double rate = 100;
        int forks = 1;
        int warmup = 3;
        int iterations = 5;
        long scaleMaxSeconds = 600;
        int singleMax = 1000;
        String sweep = null;
        Path work = Path.of("target/bench");
        Path docs = Path.of("docs");
        boolean jmh = true;
        String jmhInclude = null;
        boolean scale = true;
        boolean dualStack = true;
        String ipvsSizes = "1000";
        Integer ipvsRuns = null;
        long ipvsMaxSeconds = 1200;
        boolean ipvs = true;
        Integer memorySize = null;
        List<String> memoryFlags = MEMORY_FLAG_SETS;
        boolean memory = true;
        boolean e2e = true;
        boolean e2eIpvsVm = false;
        String e2eModes = "iptables/nft,iptables/legacy,nftables,ipvs";
        Integer e2eRuns = null;
        double burstSeconds = 60;
        double burstRate = 100;
        Path launcher = Path.of("bin/svcproxy");
        Path jar = io.svcproxy.it.SvcproxyJar.JAR;
        Integer apiListSize = null;
        int apiListEndpoints = 10;
        boolean apiList = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--forks" -> forks = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--scale-max-seconds" -> scaleMaxSeconds = Long.parseLong(args[++i]);
                case "--single-max" -> singleMax = Integer.parseInt(args[++i]);
                case "--sweep" -> sweep = args[++i];
                case "--work" -> work = Path.of(args[++i]);
                case "--docs" -> docs = Path.of(args[++i]);
                case "--skip-jmh" -> jmh = false;
                case "--jmh-include" -> jmhInclude = args[++i];
                case "--skip-scale" -> scale = false;
                case "--no-dual-stack" -> dualStack = false;
                case "--ipvs-sizes" -> ipvsSizes = args[++i];
                case "--ipvs-runs" -> ipvsRuns = Integer.parseInt(args[++i]);
                case "--ipvs-max-seconds" -> ipvsMaxSeconds = Long.parseLong(args[++i]);
                case "--skip-ipvs" -> ipvs = false;
                case "--memory-size" -> memorySize = Integer.parseInt(args[++i]);
                case "--memory-flags" -> memoryFlags = List.of(args[++i].split(";"));
                case "--skip-memory" -> memory = false;
                case "--skip-e2e" -> e2e = false;
                case "--e2e-ipvs-vm" -> e2eIpvsVm = true;
                case "--e2e-modes" -> e2eModes = args[++i];
                case "--e2e-runs" -> e2eRuns = Integer.parseInt(args[++i]);
                case "--burst-seconds" -> burstSeconds = Double.parseDouble(args[++i]);
                case "--burst-rate" -> burstRate = Double.parseDouble(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--api-list-size" -> apiListSize = Integer.parseInt(args[++i]);
                case "--api-list-endpoints" -> apiListEndpoints = Integer.parseInt(args[++i]);
                case "--skip-api-list" -> apiList = false;
                case "--report-only" -> {
                    jmh = false;
                    scale = false;
                    ipvs = false;
                    memory = false;
                    e2e = false;
                    apiList = false;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(work);
        if (jmh || scale || ipvs || memory || e2e || apiList) {
            // A new run: nothing of an earlier run (other sizes, its notes) may end up in this report.
            try (var old = Files.list(work)) {
                for (Path p : old.toList()) {
                    String f = p.getFileName().toString();
                    if (f.equals("jmh.csv") || f.equals("notes.md") || f.equals(SKIPPED_FILE) || f.equals("ipvs.csv")
                            || f.equals("memory.csv") || f.equals(API_LIST_CSV) || f.equals(CDS_ARCHIVE) || f.equals("bench-classes.jar")
                            || f.matches("scale-\\d+(-nft)?\\.csv") || f.matches("e2e-\\d+(-ipvs)?\\.csv")) {
                        Files.delete(p);
                    }
                }
            }
        }
        List<Integer> sizeList = new ArrayList<>();
        for (String s : sizes.split(",")) {
            sizeList.add(Integer.parseInt(s.trim()));
        }
        if (jmh) {
            runJmh(sizeList, forks, warmup, iterations, jmhInclude, work.resolve("jmh.csv"));
        }
        if (scale) {
            if (!isRoot()) {
                System.err.println("!!!!! BenchMain: not root: the real-kernel ScaleBench is SKIPPED "
                        + "(network namespaces and iptables need root); the report keeps only the JMH rows");
            } else {
                for (int size : sizeList) {
                    runScale(size, runs, burst, rate, scaleMaxSeconds, singleMax, dualStack, sweep,
                            work.resolve("scale-" + size + ".csv"));
                    runNftScale(size, runs, work.resolve("scale-" + size + "-nft.csv"));
                }
            }
        }
        if (e2e) {
            if (!isRoot()) {
                skipped(work, "end-to-end phase (i) SKIPPED: not root (the daemon runs in a network namespace)");
            } else {
                for (int size : sizeList) {
                    runEndToEnd(size, e2eRuns == null ? runs : e2eRuns, e2eModes, burstRate, burstSeconds, launcher, jar,
                            work);
                }
                if (e2eIpvsVm) {
                    runEndToEndInIpvsVm(ipvsSizes, e2eRuns == null ? runs : e2eRuns, burstRate, burstSeconds, launcher,
                            jar, work);
                }
            }
        }
        if (ipvs) {
            runIpvs(ipvsSizes, ipvsRuns == null ? runs : ipvsRuns, ipvsMaxSeconds, work);
        }
        if (memory) {
            int size = memorySize != null ? memorySize : sizeList.stream().max(Integer::compare).orElse(1000);
            runMemory(size, memoryFlags, work);
        }
        if (apiList) {
            int size = apiListSize != null ? apiListSize : sizeList.stream().max(Integer::compare).orElse(1000);
            int rc = ApiListBench.run(size, apiListEndpoints, work.toAbsolutePath().resolve(API_LIST_CSV));
            if (rc != 0) {
                skipped(work, "initial API list phase (k) FAILED at " + size + " services: the child JVM exited " + rc);
            }
        }
        BenchReport.write(work, docs);
    }

    /** Appends a line to the work folder's list of phases not run (or failed), which the report prints. */
    static void skipped(Path work, String note) throws IOException {
        System.err.println("!!!!! BenchMain: " + note);
        Files.writeString(work.resolve(SKIPPED_FILE), "- " + note + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** The IPVS VM tool: $SVCPROXY_IPVS_VM, else shared/tools/run-in-ipvs-vm.sh in a directory above this one. */
    static Path ipvsVmTool() {
        String configured = System.getenv("SVCPROXY_IPVS_VM");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? p : null;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/tools/run-in-ipvs-vm.sh");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** IpvsBench in ONE boot of the IPVS VM, the work folder shared read-write so its CSV lands here. */
    static void runIpvs(String sizes, int runs, long maxSecondsPerSize, Path work) throws IOException, InterruptedException {
        Path tool = ipvsVmTool();
        if (tool == null) {
            skipped(work, "IPVS phase (g) SKIPPED: the IPVS VM runner shared/tools/run-in-ipvs-vm.sh was not found "
                    + "(nor $SVCPROXY_IPVS_VM); the host kernel has no IPVS");
            return;
        }
        if (!isRoot()) {
            skipped(work, "IPVS phase (g) SKIPPED: not root (the IPVS VM runner needs root)");
            return;
        }
        Path dir = work.toAbsolutePath();
        Path csv = dir.resolve("ipvs.csv");
        Files.deleteIfExists(csv);
        int nSizes = sizes.split(",").length;
        long timeout = nSizes * (maxSecondsPerSize + 600) + 300;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(tool.toString(), "--timeout", Long.toString(timeout),
                "--mem", Integer.toString(VM_MEM_MB), "--share", dir.toString(), "--",
                java, IPVS_JVM_FLAGS, "-cp", System.getProperty("java.class.path"), IpvsBench.class.getName(),
                "--sizes", sizes, "--runs", Integer.toString(runs), "--max-seconds", Long.toString(maxSecondsPerSize),
                "--out", csv.toString()));
        System.err.println("[BenchMain] " + tool + " ... IpvsBench --sizes " + sizes + " --runs " + runs);
        Process p = new ProcessBuilder(cmd).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(timeout + 180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            skipped(work, "IPVS phase (g) FAILED: the VM did not finish in " + (timeout + 180) + " s");
            return;
        }
        int rc = p.exitValue();
        if (rc != 0 || !Files.exists(csv)) {
            skipped(work, "IPVS phase (g) " + (rc == 125 ? "SKIPPED: the IPVS VM failed to boot (exit 125)"
                    : "FAILED: the VM run exited " + rc + (Files.exists(csv) ? "" : " without writing its CSV")));
        }
    }

    /**
     * The memory phase: {@link MemoryBench} at {@code size} in one child JVM per flag set, on nft.
     * An AppCDS archive is dumped first (a 1000-service run with -XX:ArchiveClassesAtExit), for the
     * flag sets naming "{cds}". A flag set whose JVM fails (an OutOfMemoryError with a tight -Xmx)
     * gets a row saying so.
     */
    static void runMemory(int size, List<String> flagSets, Path work) throws IOException, InterruptedException {
        if (!isRoot()) {
            skipped(work, "memory phase (h) SKIPPED: not root (MemoryBench syncs into a network namespace)");
            return;
        }
        Path csv = work.toAbsolutePath().resolve("memory.csv");
        Files.deleteIfExists(csv);
        String classpath = jarredClasspath(work.toAbsolutePath());
        Path archive = work.toAbsolutePath().resolve(CDS_ARCHIVE);
        if (flagSets.stream().anyMatch(f -> f.contains("{cds}"))) {
            Files.deleteIfExists(archive);
            Path scratch = work.toAbsolutePath().resolve("cds-dump.csv");
            int rc = memoryChild(classpath, List.of("-XX:+UseSerialGC", "-Xlog:cds=error",
                    "-XX:ArchiveClassesAtExit=" + archive),
                    Math.min(size, 1000), "cds dump", scratch);
            Files.deleteIfExists(scratch);
            if (rc != 0 || !Files.exists(archive)) {
                skipped(work, "memory phase (h): the AppCDS archive could not be dumped (exit " + rc + "); "
                        + "its flag sets are not run");
            }
        }
        for (String set : flagSets) {
            if (set.contains("{cds}") && !Files.exists(archive)) {
                continue;
            }
            List<String> flags = List.of(set.replace("{cds}", archive.toString()).trim().split("\\s+"));
            String label = set.replace("{cds}", CDS_ARCHIVE);
            int rc = memoryChild(classpath, flags, size, label, csv);
            if (rc != 0) {
                ScaleBench.Metric m = new ScaleBench.Metric(MemoryBench.SECTION, "first full sync", "nft", size, "ms",
                        "JVM flags: " + label + "; FAILED: the JVM exited " + rc
                                + (rc == 3 ? " (OutOfMemoryError: -XX:+ExitOnOutOfMemoryError)" : ""));
                m.loadMax = ScaleBench.load1();
                StringBuilder line = new StringBuilder();
                if (!Files.exists(csv)) {
                    line.append(String.join(",", ScaleBench.CSV_HEADER)).append('\n');
                }
                line.append(ScaleBench.csvLine(m.csv())).append('\n');
                Files.writeString(csv, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    private static int memoryChild(String classpath, List<String> flags, int size, String label, Path csv)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+ExitOnOutOfMemoryError"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", classpath, MemoryBench.class.getName(),
                "--size", Integer.toString(size), "--label", label, "--out", csv.toString()));
        System.err.println("[BenchMain] MemoryBench --size " + size + " with " + label);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    static void runJmh(List<Integer> sizes, int forks, int warmup, int iterations, String include, Path csv)
            throws Exception {
        String[] sizeParams = sizes.stream().map(String::valueOf).toArray(String[]::new);
        OptionsBuilder builder = new OptionsBuilder();
        if (include != null) {
            builder.include(include);
        } else {
            builder.include(CoreBenchmark.class.getName() + "\\.").include(DualStackBenchmark.class.getName() + "\\.")
                    .include(NetlinkBenchmark.class.getName() + "\\.");
        }
        Options opts = builder
                .param("services", sizeParams)
                .forks(forks)
                .warmupIterations(warmup)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgs(SCALE_JVM_FLAGS)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        StringBuilder out = new StringBuilder(String.join(",", ScaleBench.CSV_HEADER)).append('\n');
        String note = forks + " fork, " + warmup + "x1s warmup, " + iterations + "x1s measurement, JVM " + SCALE_JVM_FLAGS;
        for (RunResult rr : results) {
            BenchmarkResult br = rr.getAggregatedResult();
            String label = rr.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            String cls = label.substring(0, label.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            String size = rr.getParams().getParamsKeys().contains("services") ? rr.getParams().getParam("services") : "";
            List<Double> scores = new ArrayList<>();
            for (BenchmarkResult b : rr.getBenchmarkResults()) {
                b.getIterationResults().forEach(it -> scores.add(it.getPrimaryResult().getScore()));
            }
            scores.sort(null);
            Statistics st = br.getPrimaryResult().getStatistics();
            out.append(ScaleBench.csvLine(new String[] {"jmh", cls + "." + method, "",
                size, size.isEmpty() ? "" : Integer.toString(BenchCluster.ENDPOINTS), br.getScoreUnit(),
                ScaleBench.fmt(ScaleBench.median(scores)), ScaleBench.fmt(st.getMin()), ScaleBench.fmt(st.getMax()),
                Long.toString(st.getN()), ScaleBench.fmt(ScaleBench.load1()), note})).append('\n');
        }
        Files.writeString(csv, out);
    }

    static void runScale(int size, int runs, int burst, double rate, long maxSeconds, int singleMax, boolean dualStack,
                         String sweep,
                         Path csv) throws IOException, InterruptedException {
        Files.deleteIfExists(csv);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, SCALE_JVM_FLAGS, "-cp", System.getProperty("java.class.path"),
                ScaleBench.class.getName(), "--size", Integer.toString(size), "--runs", Integer.toString(runs),
                "--burst", Integer.toString(burst), "--rate", Double.toString(rate),
                "--max-seconds", Long.toString(maxSeconds), "--single-max", Integer.toString(singleMax),
                "--out", csv.toString()));
        if (!dualStack) {
            cmd.add("--no-dual-stack");
        }
        if (sweep != null) {
            cmd.addAll(List.of("--sweep", sweep));
        }
        System.err.println("[BenchMain] " + String.join(" ", cmd.subList(0, 2)) + " ... ScaleBench --size " + size);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("ScaleBench --size " + size + " exited " + rc);
        }
    }

    /** {@link NftScaleBench} (nftables mode in process, real kernel) at one size in its own JVM. */
    static void runNftScale(int size, int runs, Path csv) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, SCALE_JVM_FLAGS, "-cp", System.getProperty("java.class.path"),
                NftScaleBench.class.getName(), "--size", Integer.toString(size), "--runs", Integer.toString(runs),
                "--out", csv.toString()));
        System.err.println("[BenchMain] NftScaleBench --size " + size + " --runs " + runs);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("NftScaleBench --size " + size + " exited " + rc);
        }
    }

    /**
     * {@link EndToEndBench} at one size in its own JVM (the bench's own heap stays out of the way; the
     * daemon is a separate process anyway), its rows in work/e2e-SIZE.csv, modes it cannot run noted
     * in the report. A failed size is noted and the others go on.
     */
    static void runEndToEnd(int size, int runs, String modes, double rate, double seconds, Path launcher, Path jar,
                            Path work) throws IOException, InterruptedException {
        Path dir = work.toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                EndToEndBench.class.getName(), "--size", Integer.toString(size), "--runs", Integer.toString(runs),
                "--modes", modes, "--burst-rate", Double.toString(rate), "--burst-seconds", Double.toString(seconds),
                "--launcher", launcher.toAbsolutePath().toString(), "--jar", jar.toAbsolutePath().toString(),
                "--out", dir.resolve("e2e-" + size + ".csv").toString(), "--skipped", dir.resolve(SKIPPED_FILE).toString(),
                "--log-dir", dir.resolve("e2e-logs").toString()));
        System.err.println("[BenchMain] EndToEndBench --size " + size + " --runs " + runs + " --modes " + modes);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            skipped(work, "end-to-end phase (i) at " + size + " services FAILED: exit " + rc
                    + " (the rows of the runs that finished are kept; logs in " + dir.resolve("e2e-logs") + ")");
        }
    }

    /**
     * The end-to-end bench's ipvs mode inside ONE boot of the IPVS VM, at the IPVS sizes (with
     * --e2e-ipvs-vm only: the VM is emulated, so these rows are for comparing IPVS with itself, e.g.
     * new-service latency before and after a change, never with upstream's or the iptables rows).
     */
    static void runEndToEndInIpvsVm(String sizes, int runs, double rate, double seconds, Path launcher, Path jar,
                                    Path work) throws IOException, InterruptedException {
        Path tool = ipvsVmTool();
        if (tool == null) {
            skipped(work, "end-to-end ipvs rows in the IPVS VM SKIPPED: no IPVS VM runner");
            return;
        }
        Path dir = work.toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder script = new StringBuilder("set -e");
        for (String size : sizes.split(",")) {
            script.append("; '").append(java).append("' -Xmx1g -cp '").append(System.getProperty("java.class.path"))
                    .append("' ").append(EndToEndBench.class.getName()).append(" --size ").append(size.trim())
                    .append(" --runs ").append(runs).append(" --modes ipvs --burst-rate ").append(rate)
                    .append(" --burst-seconds ").append(seconds).append(" --launcher '").append(launcher.toAbsolutePath())
                    .append("' --jar '").append(jar.toAbsolutePath()).append("' --out '").append(dir)
                    .append("/e2e-").append(size.trim()).append("-ipvs.csv' --skipped '").append(dir.resolve(SKIPPED_FILE))
                    .append("' --log-dir '").append(dir.resolve("e2e-logs")).append("'");
        }
        long timeout = 3600L * sizes.split(",").length;
        List<String> cmd = List.of(tool.toString(), "--timeout", Long.toString(timeout), "--mem",
                Integer.toString(VM_MEM_MB), "--share", dir.toString(), "--", "bash", "-c", script.toString());
        System.err.println("[BenchMain] " + tool + " ... EndToEndBench --modes ipvs --size " + sizes);
        Process p = new ProcessBuilder(cmd).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(timeout + 180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            skipped(work, "end-to-end ipvs rows in the IPVS VM FAILED: the VM did not finish in " + (timeout + 180) + " s");
            return;
        }
        if (p.exitValue() != 0) {
            skipped(work, "end-to-end ipvs rows in the IPVS VM FAILED: exit " + p.exitValue());
        }
        Files.writeString(work.resolve("notes.md"), "- The end-to-end `ipvs` rows ran inside the IPVS VM (QEMU TCG "
                + "software emulation, 1 vCPU, guest kernel 6.1): every time in them is several times a real node's; "
                + "compare them with other ipvs rows of the same VM only, never with upstream's or the iptables rows.\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * This JVM's class path with its directories (target/classes, target/test-classes) packed into
     * one jar in {@code dir}: AppCDS archives classes from jars only (a directory makes the dump fail),
     * and the daemon itself runs from a jar. Every memory child uses this class path, CDS or not.
     */
    static String jarredClasspath(Path dir) throws IOException {
        Path jar = dir.resolve("bench-classes.jar");
        List<String> out = new ArrayList<>(List.of(jar.toString()));
        try (var jos = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (!Files.isDirectory(p)) {
                    out.add(entry);
                    continue;
                }
                try (var files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = p.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                        if (seen.add(name)) {
                            jos.putNextEntry(new java.util.jar.JarEntry(name));
                            Files.copy(f, jos);
                            jos.closeEntry();
                        }
                    }
                }
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.trim().split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
