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
                List<Path> scale = files.filter(p -> p.getFileName().toString().matches("(scale|e2e)-\\d+(-ipvs|-nft)?\\.csv"))
                        .sorted((a, b) -> Integer.compare(sizeOf(a), sizeOf(b))).toList();
                for (Path p : scale) {
                    rows.addAll(read(p));
                }
            }
            for (String f : List.of("ipvs.csv", "memory.csv", BenchMain.API_LIST_CSV)) {
                if (Files.exists(work.resolve(f))) {
                    rows.addAll(read(work.resolve(f)));
                }
            }
            Path skippedFile = work.resolve(BenchMain.SKIPPED_FILE);
            if (Files.exists(skippedFile)) {
                String skipped = Files.readString(skippedFile).strip();
                notes = (notes.isEmpty() ? "" : notes + "\n") + "**Phases not run or failed in this run:**\n\n" + skipped;
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

    /** The size in scale-N.csv, e2e-N.csv, e2e-N-ipvs.csv. */
    private static int sizeOf(Path p) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d+)").matcher(p.getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
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
        TreeSet<Integer> ipvsSizes = new TreeSet<>();
        TreeSet<Integer> memorySizes = new TreeSet<>();
        TreeSet<Integer> e2eSizes = new TreeSet<>();
        double loadMin = Double.MAX_VALUE;
        double loadMax = 0;
        for (Row r : rows) {
            if (!r.get("services").isEmpty()) {
                String section = r.get("section");
                (section.equals("jmh") ? jmhSizes : section.equals(IpvsBench.SECTION) ? ipvsSizes
                        : section.equals(MemoryBench.SECTION) ? memorySizes
                        : section.equals(EndToEndBench.SECTION) ? e2eSizes : scaleSizes)
                        .add(Integer.parseInt(r.get("services")));
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
                .append(scaleSizes.isEmpty() ? "none" : scaleSizes).append(" services; IPVS (in the VM) ")
                .append(ipvsSizes.isEmpty() ? "none" : ipvsSizes).append(" services; memory by JVM flags ")
                .append(memorySizes.isEmpty() ? "none" : memorySizes).append(" services; end to end ")
                .append(e2eSizes.isEmpty() ? "none" : e2eSizes).append(" services; each service has ")
                .append(BenchCluster.ENDPOINTS).append(" ready endpoints (one ClusterIP TCP port, IPv4 unless said: ")
                .append("the dual-stack rows give every service an IPv6 cluster IP and every pod an IPv6 endpoint too; ")
                .append("kube-proxy's defaults: large-cluster mode above 1000 endpoints, nfacct counters, localhost NodePorts).\n\n");
        md.append("Regenerate: `make bench` (default `BENCH_SIZES=1000 BENCH_IPVS_SIZES=1000`) or ")
                .append("`make bench BENCH_SIZES=1000,5000,10000 BENCH_IPVS_SIZES=1000,5000` (the full set; the IPVS ")
                .append("rows run in an emulated VM and take most of the time); the end-to-end phase takes ")
                .append("`BENCH_E2E_MODES` (default all four: a mode this build or host cannot run is skipped with its ")
                .append("reason), `BENCH_BURST_RATE` (100 changes/s) and `BENCH_BURST_SECONDS` (60).\n\n");

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
        EndToEndTable.write(md, rows, e2eSizes, UpstreamReference.find());
        summary(md, rows, scaleSizes);
        dualStackSummary(md, rows, scaleSizes);
        ipvsSummary(md, rows, ipvsSizes);
        memoryTable(md, rows);
        jmhTable(md, rows, jmhSizes);
        scaleTables(md, rows);
        method(md);
        return md.toString();
    }

    static Row find(List<Row> rows, String section, String metric, String backend, int size) {
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
        if (rows.stream().noneMatch(r -> r.get("section").equals("a. first full sync"))) {
            md.append("No real-kernel IPv4 run (ScaleBench needs root; `--dual-stack-only` runs skip it).\n\n");
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

    private static void dualStackSummary(StringBuilder md, List<Row> rows, TreeSet<Integer> sizes) {
        String f = "f. dual-stack";
        if (rows.stream().noneMatch(r -> r.get("section").equals(f))) {
            return;
        }
        md.append("## Dual-stack: both families synced (iptables + ip6tables)\n\n");
        md.append("Medians in ms; every service has an IPv4 and an IPv6 cluster IP and every pod an endpoint of each ")
                .append("family (2 x 10 endpoints per service); one IptablesSyncer per family, IPv4 then IPv6, as the daemon ")
                .append("runs them. \"floor\" is plain flushing iptables-restore + ip6tables-restore of both complete ")
                .append("payloads into an empty namespace. \"pod added\" adds one endpoint of each family to one service.\n\n");
        md.append("| services | backend | runs | first full sync, both families | IPv4 part | IPv6 part | floor | ours / floor ")
                .append("| pod added | payload bytes (pod added) |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int size : sizes) {
            for (String backend : List.of("nft", "legacy")) {
                Row full = find(rows, f, "first full sync, both families: svcproxy, staged", backend, size);
                if (full == null) {
                    continue;
                }
                Row floor = find(rows, f, "floor: plain iptables-restore + ip6tables-restore of both complete payloads",
                        backend, size);
                md.append("| ").append(size).append(" | ").append(backend).append(" | ").append(full.get("runs"))
                        .append(" | ").append(v(full))
                        .append(" | ").append(v(find(rows, f, "first full sync: IPv4 part", backend, size)))
                        .append(" | ").append(v(find(rows, f, "first full sync: IPv6 part", backend, size)))
                        .append(" | ").append(v(floor)).append(" | ").append(ratio(full, floor))
                        .append(" | ").append(v(find(rows, f, "pod added (an endpoint per family): svcproxy", backend, size)))
                        .append(" | ").append(v(find(rows, f, "pod added (an endpoint per family): svcproxy payload", backend,
                                size))).append(" |\n");
            }
        }
        md.append('\n');
    }

    private static void ipvsSummary(StringBuilder md, List<Row> rows, TreeSet<Integer> sizes) {
        if (sizes.isEmpty()) {
            return;
        }
        String g = IpvsBench.SECTION;
        md.append("## IPVS mode (inside the IPVS VM: emulated, slow)\n\n");
        md.append("IpvsBench runs inside a QEMU VM with **software emulation (TCG, 1 vCPU)**, because the host kernel has ")
                .append("no IPVS: absolute times are several times what a real node takes; compare them only with the ")
                .append("floor measured in the same VM boot (the plain tools loading the same state into a fresh ")
                .append("namespace: `ipset restore`, `iptables-restore` of the glue, `ipvsadm-restore`, `ip -batch` for ")
                .append("kube-ipvs0's addresses). Medians in ms over the runs; messages are the netlink requests our ")
                .append("sync sent (IPVS generic netlink + kube-ipvs0 rtnetlink).\n\n");
        md.append("| services | backend | runs | first full sync | plan | ipsets | iptables glue | IPVS netlink | rest ")
                .append("| floor (4 tools) | ours / floor | IPVS part / ipvsadm-restore | messages (full) ")
                .append("| endpoint added: ms / messages | endpoint removed: ms / messages | one `ipvsadm -a` |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int size : sizes) {
            Row full = null;
            String backend = "";
            for (Row r : rows) {
                if (r.get("section").equals(g) && r.get("metric").equals("first full sync: svcproxy (IpvsSyncer), total")
                        && r.get("services").equals(Integer.toString(size))) {
                    full = r;
                    backend = r.get("backend");
                }
            }
            if (full == null) {
                continue;
            }
            String b = backend;
            java.util.function.Function<String, Row> at = m -> find(rows, g, m, b, size);
            Row floor = at.apply("floor: total of the four");
            Row ipvsPart = at.apply("first full sync: IPVS + kube-ipvs0 over netlink (dump + ops)");
            Row ipvsadm = at.apply("floor: ipvsadm-restore of the same services and destinations");
            md.append("| ").append(size).append(" | ").append(b).append(" | ").append(full.get("runs"))
                    .append(" | ").append(v(full))
                    .append(" | ").append(v(at.apply("first full sync: plan (IpvsPlanner)")))
                    .append(" | ").append(v(at.apply("first full sync: ipsets (ipset save + restore)")))
                    .append(" | ").append(v(at.apply("first full sync: iptables glue (iptables-save + restore)")))
                    .append(" | ").append(v(ipvsPart))
                    .append(" | ").append(v(at.apply("first full sync: diff, in-memory state and the rest")))
                    .append(" | ").append(v(floor)).append(" | ").append(ratio(full, floor))
                    .append(" | ").append(ratio(ipvsPart, ipvsadm))
                    .append(" | ").append(sum(at.apply("first full sync: IPVS generic netlink requests"),
                            at.apply("first full sync: kube-ipvs0 rtnetlink requests")))
                    .append(" | ").append(v(at.apply("endpoint added: svcproxy (IpvsSyncer), total"))).append(" / ")
                    .append(sum(at.apply("endpoint added: IPVS generic netlink requests"),
                            at.apply("endpoint added: kube-ipvs0 rtnetlink requests")))
                    .append(" | ").append(v(at.apply("endpoint removed: svcproxy (IpvsSyncer), total"))).append(" / ")
                    .append(sum(at.apply("endpoint removed: IPVS generic netlink requests"),
                            at.apply("endpoint removed: kube-ipvs0 rtnetlink requests")))
                    .append(" | ").append(v(at.apply("endpoint added: floor: one ipvsadm -a"))).append(" |\n");
        }
        md.append("\nA removed TCP endpoint makes the partial sync read back the destinations of the service concerned ")
                .append("(one destination dump), because only the kernel knows whether the destination still has ")
                .append("connections to drain; then one weight-0 update or one delete follows.\n\n");
    }

    private static String sum(Row a, Row b) {
        if (a == null || b == null || a.get("median").isEmpty() || b.get("median").isEmpty()) {
            return "n/a";
        }
        return ScaleBench.fmt(a.num("median") + b.num("median"));
    }

    private static void memoryTable(StringBuilder md, List<Row> rows) {
        List<Row> mem = rows.stream().filter(r -> r.get("section").equals(MemoryBench.SECTION)).toList();
        if (mem.isEmpty()) {
            return;
        }
        md.append("## Memory by JVM flags\n\n");
        md.append("`MemoryBench` in a child JVM per flag set (each also with `-XX:+ExitOnOutOfMemoryError`, as the chart): ")
                .append("the first full sync and one partial sync on nft at the size shown, keeping what the daemon keeps ")
                .append("between syncs (snapshot, last plan, remembered ruleset) while measuring; the daemon's informer ")
                .append("caches are not included. Peak RSS is /proc/self/status VmHWM (iptables child processes not ")
                .append("included); heap used is after `System.gc()`. One run per flag set. `").append(BenchMain.CHART_JVM)
                .append("` is what the chart's JVM runs with in its container (its JAVA_TOOL_OPTIONS under a ")
                .append("384Mi limit: `-XX:MaxRAM=384m` makes the JVM size its heap as it does there, initial 6 MiB, max ")
                .append("288 MiB, instead of from this machine's RAM); `").append(BenchMain.CDS_ARCHIVE)
                .append("` is an AppCDS archive dumped by this phase first (`-XX:ArchiveClassesAtExit`, 1000 services). `")
                .append(BenchMain.LAUNCHER_JVM).append("` are the defaults of `bin/svcproxy`, the image and the chart ")
                .append("(alone: as the launcher runs outside a container; with `-XX:MaxRAM=512m`: as under the chart's ")
                .append("512Mi limit; without `-XX:TieredStopAtLevel=1`: what C1-only costs or saves). The daemon's own ")
                .append("peak RSS with those defaults, informer caches included, is in the end-to-end table.\n\n");
        md.append("| services | JVM flags | first full sync ms | partial sync ms | peak RSS MiB | RSS after GC MiB ")
                .append("| heap used after GC MiB | heap committed MiB | non-heap MiB |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Map<String, Row>> byFlags = new LinkedHashMap<>();
        for (Row r : mem) {
            byFlags.computeIfAbsent(r.get("services") + "|" + r.get("note"), k -> new LinkedHashMap<>()).put(r.get("metric"), r);
        }
        byFlags.forEach((key, m) -> {
            Row any = m.values().iterator().next();
            String[] note = any.get("note").replaceFirst("^JVM flags: ", "").split("; FAILED: ", 2);
            md.append("| ").append(any.get("services")).append(" | `").append(note[0].replace("|", "\\|")).append("` | ");
            if (note.length == 2) {
                md.append("**failed**: ").append(note[1]).append(" | | | | | | | |\n");
                return;
            }
            md.append(v(m.get("first full sync"))).append(" | ")
                    .append(v(m.get("partial sync (one endpoint added)"))).append(" | ")
                    .append(v(m.get("peak RSS (VmHWM)"))).append(" | ")
                    .append(v(m.get("RSS after the syncs and a GC (VmRSS)"))).append(" | ")
                    .append(v(m.get("heap used after GC (live set)"))).append(" | ")
                    .append(v(m.get("heap committed"))).append(" | ")
                    .append(v(m.get("non-heap used (metaspace, code cache)"))).append(" |\n");
        });
        md.append('\n');
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
        md.append("## Every row (real kernel, IPVS VM, memory by JVM flags)\n\n");
        List<Row> scale = rows.stream().filter(r -> !r.get("section").equals("jmh")).toList();
        if (scale.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        Map<String, List<Row>> bySection = new LinkedHashMap<>();
        for (String s : List.of("a. first full sync", "b. partial sync", "c. verification read", "d. burst", "e. memory",
                "f. dual-stack", IpvsBench.SECTION, MemoryBench.SECTION, EndToEndBench.SECTION, NftScaleBench.SECTION,
                ApiListBench.SECTION)) {
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
        md.append("- **Burst** (d): the daemon's `SyncLoop` (min-sync-period 1 s) and `IptablesDataplane` over a namespace ")
                .append("programmed by its first full sync; endpoint changes (a different service each time, one ")
                .append("endpoint replaced) arrive at a steady rate; the latency of a change is from the moment it is ")
                .append("made to the end of the sync that wrote it to the kernel (the SyncReport trigger times). One ")
                .append("burst per size and backend: p50/p99/max are over its changes.\n");
        md.append("- **Memory** (e): the ScaleBench JVM's `VmHWM` / `VmRSS` from /proc/self/status and the heap after ")
                .append("`System.gc()`, at the end of the size's run, with the JVM flags in the row's note.\n");
        md.append("- **Dual-stack** (f, `DualStackBenchmark` for the pure core): the same cluster with an IPv6 cluster IP per ")
                .append("service and an IPv6 endpoint per pod; ScaleBench syncs both families into one fresh namespace ")
                .append("(an `IptablesSyncer` per family on the same `CommandIptablesRestorer`), then adds and removes one pod ")
                .append("(one endpoint per family), then the floor loads both complete payloads with plain restores.\n");
        md.append("- **IPVS** (g, `IpvsBench`): inside the IPVS VM (`shared/tools/run-in-ipvs-vm.sh`, one boot for all ")
                .append("sizes and runs), the daemon's `IpvsDataplane` with the real edges (`CommandIpsets`, `CommandIptablesRestorer` ")
                .append("for the glue, `ClientIpvsKernel` over netlink) in a fresh namespace per run, each edge wrapped in a ")
                .append("timer; the netlink requests are the IPVS client's own count plus kube-ipvs0's address requests.\n");
        md.append("- **Memory by JVM flags** (h, `MemoryBench`): see that table's introduction.\n");
        md.append("- **End to end** (i, `EndToEndBench`): see that table's introduction.\n");
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
