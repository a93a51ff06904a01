package io.svcproxy.bench;

import java.util.List;
import java.util.TreeSet;

/**
 * The report's end-to-end section (i): one row per size and mode, ours (median, min to max over the
 * runs) beside upstream's figure from the reference run and the ratio, then the flags the daemon ran
 * with. Only rows the run produced are printed; upstream's figures come from the reference file.
 */
final class EndToEndTable {
    private EndToEndTable() {
    }

    static void write(StringBuilder md, List<BenchReport.Row> rows, TreeSet<Integer> sizes, UpstreamReference upstream) {
        if (sizes.isEmpty()) {
            return;
        }
        String i = EndToEndBench.SECTION;
        md.append("## End to end: the packaged daemon, measured from outside the process\n\n");
        md.append("`EndToEndBench`: per run a fresh node namespace, a fresh fabric8 mock API server (over HTTP, through ")
                .append("socat into the namespace) holding the node and the cluster, and `bin/svcproxy run` (the packaged ")
                .append("jar with the launcher's JVM defaults, every daemon flag at its default but the mode) as a daemon; ")
                .append("every time is read from outside: the kernel's rules are read in the node namespace in a bounded ")
                .append("loop (a change is visible at the end of the first read showing it; the read interval is the ")
                .append("resolution, in the every-row table), CPU from /proc/PID/stat (the JVM and the children it waited ")
                .append("for), peak RSS from /proc/PID/status VmHWM. Seconds; ours is the median over the runs (min to max). ")
                .append("**Upstream's figures are from the reference run** (")
                .append(upstream.source().map(p -> "`" + UpstreamReference.README + "`").orElse("reference not found"))
                .append(": one run per row, an API server of its own, another process loading one core), **not from this ")
                .append("run**: read the ratios, not small differences.\n\n");
        md.append("| services | mode | runs | first sync | upstream | ours / upstream | one endpoint changed | upstream ")
                .append("| ours / upstream | new Service + slice | upstream | ours / upstream | Service deleted ")
                .append("| burst p50 / p99 | the proxy's own metric p50 / p99 | CPU s: first sync / burst / whole run ")
                .append("| peak RSS MiB | upstream RSS MiB |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder flags = new StringBuilder();
        for (int size : sizes) {
            for (EndToEndMode mode : EndToEndMode.values()) {
                String m = mode.label();
                BenchReport.Row first = BenchReport.find(rows, i, EndToEndBench.FIRST_SYNC, m, size);
                if (first == null) {
                    continue;
                }
                var up = upstream.figures(size, m);
                BenchReport.Row ep = BenchReport.find(rows, i, EndToEndBench.ENDPOINT_CHANGED, m, size);
                BenchReport.Row svc = BenchReport.find(rows, i, EndToEndBench.NEW_SERVICE, m, size);
                BenchReport.Row rss = BenchReport.find(rows, i, EndToEndBench.RSS, m, size);
                md.append("| ").append(size).append(" | ").append(m).append(" | ").append(first.get("runs"))
                        .append(" | ").append(spread(first))
                        .append(" | ").append(up.map(f -> num(f.firstSyncSeconds())).orElse("n/a"))
                        .append(" | ").append(ratio(first, up.map(UpstreamReference.Figures::firstSyncSeconds)))
                        .append(" | ").append(spread(ep))
                        .append(" | ").append(up.map(f -> num(f.endpointChangeSeconds())).orElse("n/a"))
                        .append(" | ").append(ratio(ep, up.map(UpstreamReference.Figures::endpointChangeSeconds)))
                        .append(" | ").append(spread(svc)).append(" [from ")
                        .append(median(BenchReport.find(rows, i, EndToEndBench.NEW_SERVICE_LOWER, m, size))).append("]")
                        .append(" | ").append(up.map(f -> num(f.newServiceSeconds())).orElse("n/a"))
                        .append(" | ").append(ratio(svc, up.map(UpstreamReference.Figures::newServiceSeconds)))
                        .append(" | ").append(spread(BenchReport.find(rows, i, EndToEndBench.SERVICE_DELETED, m, size)))
                        .append(" | ").append(median(BenchReport.find(rows, i, EndToEndBench.BURST_P50, m, size)))
                        .append(" / ").append(median(BenchReport.find(rows, i, EndToEndBench.BURST_P99, m, size)))
                        .append(" | ").append(median(BenchReport.find(rows, i, EndToEndBench.METRIC_P50, m, size)))
                        .append(" / ").append(median(BenchReport.find(rows, i, EndToEndBench.METRIC_P99, m, size)))
                        .append(" | ").append(median(BenchReport.find(rows, i, EndToEndBench.CPU_FIRST, m, size)))
                        .append(" / ").append(median(BenchReport.find(rows, i, EndToEndBench.CPU_BURST, m, size)))
                        .append(" / ").append(median(BenchReport.find(rows, i, EndToEndBench.CPU_RUN, m, size)))
                        .append(" | ").append(spread(rss))
                        .append(" | ").append(up.map(f -> f.rssMinMiB() == f.rssMaxMiB() ? num(f.rssMinMiB())
                                : num(f.rssMinMiB()) + "-" + num(f.rssMaxMiB())).orElse("n/a")).append(" |\n");
                if (rss != null && !rss.get("note").isEmpty()) {
                    flags.append("- ").append(size).append(", ").append(m).append(": `")
                            .append(rss.get("note").replaceFirst("^JVM flags: ", "")).append("`\n");
                }
            }
        }
        md.append("\nThe burst: ").append(burstNote(rows, sizes)).append("; its p50/p99 are from each write returning ")
                .append("to the first whole dump of the rules showing the new DNAT (one dump per read, every pending ")
                .append("change checked against it), the proxy's own are its `kubeproxy_network_programming_duration_seconds` ")
                .append("histogram over the same burst (from the EndpointSlice's trigger-time annotation to the end of ")
                .append("its sync). New-service latency is the time from the second of two back-to-back writes (the ")
                .append("Service, then its EndpointSlice) to the Service's chain with all its endpoints in the kernel, ")
                .append("several per run, each after the proxy was idle for longer than its min-sync-period; [from X] is ")
                .append("the median lower bound (the end of the last read that did not show it yet): the true latency lies ")
                .append("between the two.\n\n");
        if (!flags.isEmpty()) {
            md.append("JVM flags the daemon ran with (its command line, as `bin/svcproxy` sets them):\n\n").append(flags)
                    .append('\n');
        }
    }

    private static String burstNote(List<BenchReport.Row> rows, TreeSet<Integer> sizes) {
        for (int size : sizes) {
            for (EndToEndMode mode : EndToEndMode.values()) {
                BenchReport.Row r = BenchReport.find(rows, EndToEndBench.SECTION, EndToEndBench.BURST_P50, mode.label(), size);
                if (r != null) {
                    return r.get("note") + " of endpoint changes (one endpoint of a different service each time)";
                }
            }
        }
        return "not run";
    }

    private static String spread(BenchReport.Row r) {
        if (r == null || r.get("median").isEmpty()) {
            return "n/a";
        }
        return r.get("min").equals(r.get("max")) ? r.get("median")
                : r.get("median") + " (" + r.get("min") + " to " + r.get("max") + ")";
    }

    private static String median(BenchReport.Row r) {
        return r == null || r.get("median").isEmpty() ? "n/a" : r.get("median");
    }

    private static String ratio(BenchReport.Row ours, java.util.Optional<Double> upstream) {
        if (ours == null || ours.get("median").isEmpty() || upstream.isEmpty() || upstream.get().isNaN()
                || upstream.get() == 0) {
            return "n/a";
        }
        return String.format("%.2fx", ours.num("median") / upstream.get());
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : ScaleBench.fmt(v);
    }
}
