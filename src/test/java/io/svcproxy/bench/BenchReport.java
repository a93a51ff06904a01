package io.svcproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Writes docs/benchmarks.csv (every row of the run) and docs/benchmarks.md (machine, a summary row
 * per size and backend to compare release to release, the JMH table, every real-kernel row) from the
 * raw CSVs {@link BenchMain} left in its work folder. Rows come only from the run: nothing is typed in.
 */
public final class BenchReport {
    private BenchReport() {
    }

    /** One CSV row, by column name. */
    record Row(Map<String, String> f) {
        String get(String k) {
            return f.getOrDefault(k, "");
        }

        double num(String k) {
            String v = get(k);
            return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        }
    }

    /** Also reads work/notes.md, when present: what whoever ran it observed, printed as written. */
    public static void write(Path work, Path docs) {
        try {
            Path notesFile = work.resolve("notes.md");
            String notes = Files.exists(notesFile) ? Files.readString(notesFile).strip() : "";
            List<Row> rows = new ArrayList<>();
            Path jmh = work.resolve("jmh.csv");
            if (Files.exists(jmh)) {
                rows.addAll(read(jmh));
            }
            try (Stream<Path> files = Files.list(work)) {
                List<Path> scale = files.filter(p -> p.getFileName().toString().matches("scale-\\d+\\.csv"))
                        .sorted((a, b) -> Integer.compare(sizeOf(a), sizeOf(b))).toList();
                for (Path p : scale) {
                    rows.addAll(read(p));
                }
            }
            Files.createDirectories(docs);
            StringBuilder csv = new StringBuilder(String.join(",", ScaleBench.CSV_HEADER)).append('\n');
            for (Row r : rows) {
                String[] line = new String[ScaleBench.CSV_HEADER.length];
                for (int i = 0; i < line.length; i++) {
                    line[i] = r.get(ScaleBench.CSV_HEADER[i]);
                }
                csv.append(ScaleBench.csvLine(line)).append('\n');
            }
            Files.writeString(docs.resolve("benchmarks.csv"), csv);
            Files.writeString(docs.resolve("benchmarks.md"), markdown(rows, notes));
            System.err.println("[BenchReport] wrote " + docs.resolve("benchmarks.md") + " and "
                    + docs.resolve("benchmarks.csv") + " (" + rows.size() + " rows)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int sizeOf(Path p) {
        return Integer.parseInt(p.getFileName().toString().replaceAll("\\D", ""));
    }

    static List<Row> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<Row> out = new ArrayList<>();
        if (lines.isEmpty()) {
            return out;
        }
        List<String> header = split(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> fields = split(line);
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size() && i < fields.size(); i++) {
                m.put(header.get(i), fields.get(i));
            }
            out.add(new Row(m));
        }
        return out;
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    static String markdown(List<Row> rows, String notes) {
        StringBuilder md = new StringBuilder();
        TreeSet<Integer> jmhSizes = new TreeSet<>();
        TreeSet<Integer> scaleSizes = new TreeSet<>();
        double loadMin = Double.MAX_VALUE;
        double loadMax = 0;
        for (Row r : rows) {
            if (!r.get("services").isEmpty()) {
                (r.get("section").equals("jmh") ? jmhSizes : scaleSizes).add(Integer.parseInt(r.get("services")));
            }
            double l = r.num("load1_max");
            if (!Double.isNaN(l) && l >= 0) {
                loadMin = Math.min(loadMin, l);
                loadMax = Math.max(loadMax, l);
            }
        }
        md.append("# Benchmarks\n\n");
        md.append("The cost of a sync at scale, beside the kernel's floor for the same rules. Generated by `make bench` ")
                .append("(`io.svcproxy.bench.BenchMain`) on ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE))
                .append(", commit `").append(command("git", "rev-parse", "--short", "HEAD")).append("`; every figure is from ")
                .append("that run, and [benchmarks.csv](benchmarks.csv) holds every row.\n\n");
        md.append("Sizes actually run: JMH ").append(jmhSizes.isEmpty() ? "none" : jmhSizes).append(" services; real kernel ")
                .append(scaleSizes.isEmpty() ? "none (not root)" : scaleSizes).append(" services; each service has ")
                .append(BenchCluster.ENDPOINTS).append(" ready endpoints (one ClusterIP TCP port, IPv4, kube-proxy's ")
                .append("defaults: large-cluster mode above 1000 endpoints, nfacct counters, localhost NodePorts).\n\n");
        md.append("Regenerate: `make bench` (default `BENCH_SIZES=1000`, a few minutes) or ")
                .append("`make bench BENCH_SIZES=1000,5000,10000` (about half an hour on the machine below).\n\n");

        md.append("## Machine\n\n| | |\n|---|---|\n");
        md.append("| CPUs (nproc) | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n");
        md.append("| CPU | ").append(cpuModel()).append(" |\n");
        md.append("| kernel | ").append(command("uname", "-r")).append(" |\n");
        md.append("| iptables | ").append(command("iptables-nft", "--version")).append("; ")
                .append(command("iptables-legacy", "--version")).append(" |\n");
        md.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append("; benchmark JVMs run with `")
                .append(BenchMain.SCALE_JVM_FLAGS).append("` |\n");
        md.append("| load average (1 min) while measuring | ")
                .append(loadMax == 0 ? "unknown" : ScaleBench.fmt(loadMin) + " to " + ScaleBench.fmt(loadMax))
                .append(" (highest per row in the `load1_max` column; the machine is shared, so read small differences as noise) |\n\n");

        if (!notes.isEmpty()) {
            md.append("## Notes on this run\n\n").append(notes).append("\n\n");
        }
        summary(md, rows, scaleSizes);
        jmhTable(md, rows, jmhSizes);
        scaleTables(md, rows);
        method(md);
        return md.toString();
    }

    private static Row find(List<Row> rows, String section, String metric, String backend, int size) {
        for (Row r : rows) {
            if (r.get("section").equals(section) && r.get("metric").equals(metric) && r.get("backend").equals(backend)
                    && r.get("services").equals(Integer.toString(size))) {
                return r;
            }
        }
        return null;
    }

    private static String v(Row r) {
        return r == null ? "n/a" : r.get("median").isEmpty() ? "not run" : r.get("median");
    }

    private static String ratio(Row a, Row b) {
        if (a == null || b == null || a.get("median").isEmpty() || b.get("median").isEmpty() || b.num("median") == 0) {
            return "n/a";
        }
        return String.format("%.1fx", a.num("median") / b.num("median"));
    }

    private static void summary(StringBuilder md, List<Row> rows, TreeSet<Integer> sizes) {
        md.append("## Summary: one row per size and backend\n\n");
        if (sizes.isEmpty()) {
            md.append("No real-kernel run (ScaleBench needs root).\n\n");
            return;
        }
        md.append("Medians in ms unless said; \"floor\" is a plain flushing `iptables-restore` of the same complete ")
                .append("rules into an empty namespace; \"upstream\" is the kube-proxy-style partial payload for the same ")
                .append("change (the changed service's chains plus every shared chain rewritten) loaded with `--noflush`.\n\n");
        md.append("| services | backend | runs | first full sync (staged) | floor | ours / floor | single payload | ")
                .append("endpoint added: ours | upstream restore | ours / upstream | payload bytes: ours / upstream | ")
                .append("verification read | burst latency p50 / p99 | peak RSS MiB |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int size : sizes) {
            for (String backend : List.of("nft", "legacy")) {
                String a = "a. first full sync";
                String b = "b. partial sync";
                Row full = find(rows, a, ScaleBench.FULL_SYNC, backend, size);
                if (full == null) {
                    continue;
                }
                Row floor = find(rows, a, "floor: plain iptables-restore of the complete payload", backend, size);
                Row single = find(rows, a, "svcproxy, single payload (unbatched)", backend, size);
                Row epOurs = find(rows, b, "endpoint added: svcproxy", backend, size);
                Row epUp = find(rows, b, "endpoint added: upstream-style payload, restore only", backend, size);
                Row epOursB = find(rows, b, "endpoint added: svcproxy payload", backend, size);
                Row epUpB = find(rows, b, "endpoint added: upstream-style payload", backend, size);
                Row read = find(rows, "c. verification read", "iptables-save + SaveParser (restorer.save)", backend, size);
                Row p50 = find(rows, "d. burst", "network programming latency p50", backend, size);
                Row p99 = find(rows, "d. burst", "network programming latency p99", backend, size);
                Row rss = find(rows, "e. memory", "peak RSS (VmHWM)", "", size);
                md.append("| ").append(size).append(" | ").append(backend).append(" | ").append(full.get("runs"))
                        .append(" | ").append(v(full)).append(" | ").append(v(floor)).append(" | ").append(ratio(full, floor))
                        .append(" | ").append(v(single)).append(" | ").append(v(epOurs)).append(" | ").append(v(epUp))
                        .append(" | ").append(ratio(epOurs, epUp)).append(" | ").append(v(epOursB)).append(" / ")
                        .append(v(epUpB)).append(" | ").append(v(read)).append(" | ").append(v(p50)).append(" / ")
                        .append(v(p99)).append(" | ").append(v(rss)).append(" |\n");
            }
        }
        md.append("\nPeak RSS is the ScaleBench JVM's VmHWM after all of that size's syncs on both backends ")
                .append("(iptables child processes not included).\n\n");
    }

    private static void jmhTable(StringBuilder md, List<Row> rows, TreeSet<Integer> sizes) {
        md.append("## Pure core (JMH)\n\n");
        List<Row> jmh = rows.stream().filter(r -> r.get("section").equals("jmh")).toList();
        if (jmh.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        md.append("Median of the measurement iterations (min to max in brackets), per operation; ")
                .append(jmh.get(0).get("note")).append("; the load column of these rows is the load at the end of the JMH run.\n\n");
        md.append("| benchmark | unit |");
        sizes.forEach(s -> md.append(' ').append(s).append(" services |"));
        md.append(" no size |\n|---|---|");
        sizes.forEach(s -> md.append("---:|"));
        md.append("---:|\n");
        Map<String, Map<String, Row>> byBench = new LinkedHashMap<>();
        for (Row r : jmh) {
            byBench.computeIfAbsent(r.get("metric"), k -> new LinkedHashMap<>()).put(r.get("services"), r);
        }
        byBench.forEach((bench, bySize) -> {
            md.append("| ").append(bench).append(" | ").append(bySize.values().iterator().next().get("unit")).append(" |");
            for (int s : sizes) {
                md.append(' ').append(cell(bySize.get(Integer.toString(s)))).append(" |");
            }
            md.append(' ').append(cell(bySize.get(""))).append(" |\n");
        });
        md.append('\n');
    }

    private static String cell(Row r) {
        if (r == null) {
            return "";
        }
        return r.get("median") + " (" + r.get("min") + " to " + r.get("max") + ")";
    }

    private static void scaleTables(StringBuilder md, List<Row> rows) {
        md.append("## Real kernel (ScaleBench): every row\n\n");
        List<Row> scale = rows.stream().filter(r -> !r.get("section").equals("jmh")).toList();
        if (scale.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        Map<String, List<Row>> bySection = new LinkedHashMap<>();
        for (String s : List.of("a. first full sync", "b. partial sync", "c. verification read", "d. burst", "e. memory")) {
            bySection.put(s, new ArrayList<>());
        }
        scale.forEach(r -> bySection.computeIfAbsent(r.get("section"), k -> new ArrayList<>()).add(r));
        bySection.forEach((section, list) -> {
            if (list.isEmpty()) {
                return;
            }
            md.append("### ").append(section).append("\n\n");
            md.append("| services | backend | metric | unit | median | min | max | runs | load1 max | note |\n");
            md.append("|---:|---|---|---|---:|---:|---:|---:|---:|---|\n");
            List<Row> sorted = new ArrayList<>(list);
            sorted.sort((x, y) -> Integer.compare(Integer.parseInt(x.get("services")), Integer.parseInt(y.get("services"))));
            for (Row r : sorted) {
                md.append("| ").append(r.get("services")).append(" | ").append(r.get("backend")).append(" | ")
                        .append(r.get("metric")).append(" | ").append(r.get("unit")).append(" | ").append(r.get("median"))
                        .append(" | ").append(r.get("min")).append(" | ").append(r.get("max")).append(" | ")
                        .append(r.get("runs")).append(" | ").append(r.get("load1_max")).append(" | ")
                        .append(r.get("note").replace("|", "\\|")).append(" |\n");
            }
            md.append('\n');
        });
    }

    private static void method(StringBuilder md) {
        md.append("## How it is measured\n\n");
        md.append("- **Pure core** (`CoreBenchmark`, `NetlinkBenchmark`): JMH, average time per operation. ")
                .append("`snapshotFromObjects` is fabric8 Services and EndpointSlices to a ClusterSnapshot; `render` is ")
                .append("`IptablesPlanner.plan`; `diffAgainstEmpty` / `diffOneEndpoint` are `RulesetDiff.diff` against an ")
                .append("empty node and against the previous plan with one endpoint added; `renderAndDiffOneEndpoint` is a ")
                .append("partial sync's whole compute; `payload*` stream a change set into a counting sink; `parseSave` is ")
                .append("`SaveParser` on the iptables-save text of the whole ruleset; the netlink rows decode a dumped ")
                .append("conntrack entry and encode its delete request.\n");
        md.append("- **Real kernel** (`ScaleBench`): each run uses fresh network namespaces (`svcp-` + random hex, ")
                .append("deleted afterwards); the real `CommandIptablesRestorer` runs unchanged, its commands prefixed with ")
                .append("`ip netns exec NS` (the floor and the upstream-style payloads go through the same prefix, so the ")
                .append("few milliseconds it adds per command are on both sides). A run: (a) the first full sync as the ")
                .append("daemon does it (plan, `iptables-save`, nfacct counters, diff; the new service chains staged ")
                .append("unreachable in batches bounded per backend, then the jumps to them in one last restore) into an ")
                .append("empty namespace; the batch-size sweep (the same with fixed batch sizes, when run with `--sweep`); ")
                .append("the same as a single payload; the floor. (b) on the programmed namespace, four partial syncs (one endpoint added to ")
                .append("and removed from the middle service, one service added and removed), each timed as plan + diff + ")
                .append("restore from remembered state, then the upstream-style payload for the same change loaded with ")
                .append("`iptables-restore --noflush` (restore time only: kube-proxy's own compute is not counted). ")
                .append("(c) `iptables-save` + `SaveParser` of the programmed namespace. Medians over the runs with min ")
                .append("and max; a size stops repeating when its time budget per backend is spent (the `runs` column ")
                .append("says how many ran).\n");
        md.append("- **Burst** (d): the daemon's `SyncLoop` (min-sync-period 1 s) and `ProxySyncer` over a namespace ")
                .append("programmed by its first full sync; endpoint changes (a different service each time, one ")
                .append("endpoint replaced) arrive at a steady rate; the latency of a change is from the moment it is ")
                .append("made to the end of the sync that wrote it to the kernel (the SyncReport trigger times). One ")
                .append("burst per size and backend: p50/p99/max are over its changes.\n");
        md.append("- **Memory** (e): the ScaleBench JVM's `VmHWM` / `VmRSS` from /proc/self/status and the heap after ")
                .append("`System.gc()`, at the end of the size's run, with the JVM flags in the row's note.\n");
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    static String command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            return out.isEmpty() ? "unknown" : out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
