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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * `make bench`: the JMH benchmarks of the pure core, then {@link ScaleBench} once per size in its own
 * JVM (so each size's peak RSS is its own), then {@link BenchReport} writes docs/benchmarks.{md,csv}.
 *
 * <p>{@code BenchMain [--sizes 1000] [--runs 5] [--burst 1000] [--rate 100] [--forks 1] [--warmup 3]
 * [--iterations 5] [--scale-max-seconds 600] [--single-max 1000] [--sweep auto,services:250,chains:1000]
 * [--work target/bench] [--docs docs] [--skip-jmh] [--skip-scale] [--report-only] [--jmh-include REGEX]}
 */
public final class BenchMain {
    static final String SCALE_JVM_FLAGS = "-Xmx2g";

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
                case "--report-only" -> {
                    jmh = false;
                    scale = false;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(work);
        if (jmh || scale) {
            // A new run: nothing of an earlier run (other sizes, its notes) may end up in this report.
            try (var old = Files.list(work)) {
                for (Path p : old.toList()) {
                    String f = p.getFileName().toString();
                    if (f.equals("jmh.csv") || f.equals("notes.md") || f.matches("scale-\\d+\\.csv")) {
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
                    runScale(size, runs, burst, rate, scaleMaxSeconds, singleMax, sweep,
                            work.resolve("scale-" + size + ".csv"));
                }
            }
        }
        BenchReport.write(work, docs);
    }

    static void runJmh(List<Integer> sizes, int forks, int warmup, int iterations, String include, Path csv)
            throws Exception {
        String[] sizeParams = sizes.stream().map(String::valueOf).toArray(String[]::new);
        OptionsBuilder builder = new OptionsBuilder();
        if (include != null) {
            builder.include(include);
        } else {
            builder.include(CoreBenchmark.class.getName() + "\\.").include(NetlinkBenchmark.class.getName() + "\\.");
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

    static void runScale(int size, int runs, int burst, double rate, long maxSeconds, int singleMax, String sweep,
                         Path csv) throws IOException, InterruptedException {
        Files.deleteIfExists(csv);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, SCALE_JVM_FLAGS, "-cp", System.getProperty("java.class.path"),
                ScaleBench.class.getName(), "--size", Integer.toString(size), "--runs", Integer.toString(runs),
                "--burst", Integer.toString(burst), "--rate", Double.toString(rate),
                "--max-seconds", Long.toString(maxSeconds), "--single-max", Integer.toString(singleMax),
                "--out", csv.toString()));
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
