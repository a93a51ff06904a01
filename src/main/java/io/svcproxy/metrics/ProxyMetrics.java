package io.svcproxy.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServiceName;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.plan.HealthCheckPorts;
import io.svcproxy.reconcile.SyncObserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * kube-proxy's metric families (names, types, labels and buckets of pkg/proxy/metrics, iptables mode),
 * so existing dashboards and alerts work, plus svcproxy's own. Fed by the sync loop with mode-neutral
 * reports: the restore-failure counters count the failures the kernel refused
 * ({@link DataplaneException#refused()}), whichever mode runs.
 *
 * <p>Approximations, because the source reports "something changed" without saying what:
 * {@code *_service_changes_total} and {@code *_endpoint_changes_total} count the services whose ports,
 * respectively whose endpoints, differ between two successive applied snapshots; both
 * {@code *_changes_pending} gauges show the change notifications queued since the last successful
 * sync (the same number in both).
 *
 * <p>Two kube-proxy gauges end in {@code _total} ({@code kubeproxy_sync_proxy_rules_iptables_total},
 * {@code kubeproxy_sync_proxy_rules_no_local_endpoints_total}), a name the client library reserves for
 * counters; those two families are written by {@link #writeTo} itself, as plain gauges.
 */
public final class ProxyMetrics implements SyncObserver {
    static final String RULES_TOTAL = "kubeproxy_sync_proxy_rules_iptables_total";
    static final String NO_LOCAL_ENDPOINTS = "kubeproxy_sync_proxy_rules_no_local_endpoints_total";
    private static final String IP_FAMILY = "ip_family";
    /** kube-proxy's sync latency buckets: 1 ms doubling 15 times (to ~16 s). */
    private static final double SYNC_START = 0.001;
    private static final int SYNC_COUNT = 15;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Clock clock;
    private final List<IpFamily> families;
    private final Function<ClusterSnapshot, String> hostname;

    private final Histogram syncDuration;
    private final Histogram fullSyncDuration;
    private final Histogram partialSyncDuration;
    private final Histogram networkProgramming;
    private final Gauge lastTimestamp;
    private final Gauge lastQueuedTimestamp;
    private final Gauge endpointChangesPending;
    private final Gauge serviceChangesPending;
    private final Counter endpointChangesTotal;
    private final Counter serviceChangesTotal;
    private final Counter restoreFailures;
    private final Counter partialRestoreFailures;
    private final Counter healthzTotal;
    private final Counter livezTotal;
    private final Counter driftRepairs;
    private final Counter restoreWrites;
    private final Histogram payloadBytes;
    private final Counter conntrackDeleted;
    private final Counter syncFailures;

    private final AtomicLong queuedSinceSync = new AtomicLong();
    private volatile Map<IpFamily, Map<String, Integer>> rulesPerTable;
    private volatile Map<IpFamily, Map<String, Integer>> noLocalEndpoints;
    private ClusterSnapshot previous = ClusterSnapshot.empty();

    /**
     * @param families the families this proxy syncs (labels are pre-set for them, so every family is
     *                 visible from the first scrape)
     * @param hostname this node's name for a snapshot, for the no-local-endpoints gauge
     */
    public ProxyMetrics(Clock clock, List<IpFamily> families, Function<ClusterSnapshot, String> hostname) {
        this.clock = clock;
        this.families = List.copyOf(families);
        this.hostname = hostname;
        syncDuration = histogram("kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds");
        fullSyncDuration = histogram("kubeproxy_sync_full_proxy_rules_duration_seconds",
                "SyncProxyRules latency in seconds for full resyncs");
        partialSyncDuration = histogram("kubeproxy_sync_partial_proxy_rules_duration_seconds",
                "SyncProxyRules latency in seconds for partial resyncs");
        networkProgramming = Histogram.builder().name("kubeproxy_network_programming_duration_seconds")
                .help("In Cluster Network Programming Latency in seconds").classicOnly()
                .classicUpperBounds(networkProgrammingBuckets()).labelNames(IP_FAMILY).register(registry);
        lastTimestamp = Gauge.builder().name("kubeproxy_sync_proxy_rules_last_timestamp_seconds")
                .help("The last time proxy rules were successfully synced").labelNames(IP_FAMILY).register(registry);
        lastQueuedTimestamp = Gauge.builder().name("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds")
                .help("The last time a sync of proxy rules was queued").labelNames(IP_FAMILY).register(registry);
        endpointChangesPending = Gauge.builder().name("kubeproxy_sync_proxy_rules_endpoint_changes_pending")
                .help("Pending proxy rules Endpoint changes").register(registry);
        serviceChangesPending = Gauge.builder().name("kubeproxy_sync_proxy_rules_service_changes_pending")
                .help("Pending proxy rules Service changes").register(registry);
        endpointChangesTotal = Counter.builder().name("kubeproxy_sync_proxy_rules_endpoint_changes_total")
                .help("Cumulative proxy rules Endpoint changes").register(registry);
        serviceChangesTotal = Counter.builder().name("kubeproxy_sync_proxy_rules_service_changes_total")
                .help("Cumulative proxy rules Service changes").register(registry);
        restoreFailures = Counter.builder().name("kubeproxy_sync_proxy_rules_iptables_restore_failures_total")
                .help("Cumulative proxy iptables restore failures").labelNames(IP_FAMILY).register(registry);
        partialRestoreFailures = Counter.builder()
                .name("kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total")
                .help("Cumulative proxy iptables partial restore failures").labelNames(IP_FAMILY).register(registry);
        healthzTotal = Counter.builder().name("kubeproxy_proxy_healthz_total")
                .help("Cumulative proxy healthz HTTP status").labelNames("code").register(registry);
        livezTotal = Counter.builder().name("kubeproxy_proxy_livez_total")
                .help("Cumulative proxy livez HTTP status").labelNames("code").register(registry);
        driftRepairs = Counter.builder().name("svcproxy_drift_repairs_total")
                .help("Chains and rules of ours found changed by someone else and repaired").labelNames(IP_FAMILY)
                .register(registry);
        restoreWrites = Counter.builder().name("svcproxy_iptables_restore_writes_total")
                .help("iptables-restore runs that wrote a payload").labelNames(IP_FAMILY).register(registry);
        payloadBytes = Histogram.builder().name("svcproxy_iptables_restore_payload_bytes")
                .help("Bytes fed to iptables-restore by one sync (syncs that wrote something)").classicOnly()
                .classicExponentialUpperBounds(1024, 4, 10).labelNames(IP_FAMILY).register(registry);
        conntrackDeleted = Counter.builder().name("svcproxy_conntrack_entries_deleted_total")
                .help("Stale conntrack entries deleted after rule changes").register(registry);
        syncFailures = Counter.builder().name("svcproxy_sync_failures_total")
                .help("Syncs that failed (each is retried with backoff)").register(registry);

        Map<IpFamily, Map<String, Integer>> rules = new EnumMap<>(IpFamily.class);
        Map<IpFamily, Map<String, Integer>> noLocal = new EnumMap<>(IpFamily.class);
        for (IpFamily f : this.families) {
            String l = f.kubernetesName();
            for (Histogram h : List.of(syncDuration, fullSyncDuration, partialSyncDuration, networkProgramming,
                    payloadBytes)) {
                h.labelValues(l);
            }
            for (Counter c : List.of(restoreFailures, partialRestoreFailures, driftRepairs, restoreWrites)) {
                c.labelValues(l);
            }
            lastTimestamp.labelValues(l);
            lastQueuedTimestamp.labelValues(l);
            rules.put(f, new TreeMap<>(Map.of("filter", 0, "nat", 0)));
            noLocal.put(f, new TreeMap<>(Map.of("internal", 0, "external", 0)));
        }
        for (String code : List.of("200", "503")) {
            healthzTotal.labelValues(code);
            livezTotal.labelValues(code);
        }
        rulesPerTable = rules;
        noLocalEndpoints = noLocal;
    }

    private Histogram histogram(String name, String help) {
        return Histogram.builder().name(name).help(help).classicOnly()
                .classicExponentialUpperBounds(SYNC_START, 2, SYNC_COUNT).labelNames(IP_FAMILY).register(registry);
    }

    /** kube-proxy's: 0, 0.25, 0.5, 1..59 s, 60..115 s by 5, 120..300 s by 30. */
    static double[] networkProgrammingBuckets() {
        List<Double> b = new ArrayList<>(List.of(0.0, 0.25, 0.5));
        for (int i = 1; i <= 59; i++) {
            b.add((double) i);
        }
        for (int i = 0; i < 12; i++) {
            b.add(60.0 + 5 * i);
        }
        for (int i = 0; i < 7; i++) {
            b.add(120.0 + 30 * i);
        }
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public void syncQueued() {
        double now = seconds(clock.instant());
        for (IpFamily f : families) {
            lastQueuedTimestamp.labelValues(f.kubernetesName()).set(now);
        }
        long pending = queuedSinceSync.incrementAndGet();
        endpointChangesPending.set(pending);
        serviceChangesPending.set(pending);
    }

    @Override
    public void syncSucceeded(SyncReport report) {
        Instant now = clock.instant();
        double took = report.took().toNanos() / 1e9;
        Map<IpFamily, Map<String, Integer>> rules = new EnumMap<>(IpFamily.class);
        rules.putAll(rulesPerTable);
        for (FamilyResult r : report.families()) {
            String l = r.family().kubernetesName();
            syncDuration.labelValues(l).observe(took);
            (r.full() ? fullSyncDuration : partialSyncDuration).labelValues(l).observe(took);
            lastTimestamp.labelValues(l).set(seconds(now));
            for (TriggerTime trigger : report.triggerTimes()) {
                if (trigger.family() != r.family()) {
                    continue;   // a slice of the other family: that family's change, not this one's
                }
                Duration latency = Duration.between(trigger.at(), now);
                if (!latency.isNegative()) {
                    networkProgramming.labelValues(l).observe(latency.toNanos() / 1e9);
                }
            }
            if (r.driftRepaired() > 0) {
                driftRepairs.labelValues(l).inc(r.driftRepaired());
            }
            if (r.writes() > 0) {
                restoreWrites.labelValues(l).inc(r.writes());
                payloadBytes.labelValues(l).observe(r.payloadBytes());
            }
            if (!r.rulesPerTable().isEmpty()) {
                rules.put(r.family(), r.rulesPerTable());
            }
        }
        rulesPerTable = rules;
        if (report.conntrackDeleted() > 0) {
            conntrackDeleted.inc(report.conntrackDeleted());
        }
        queuedSinceSync.set(0);
        endpointChangesPending.set(0);
        serviceChangesPending.set(0);
        countChanges(report.snapshot());
        String host = hostname.apply(report.snapshot());
        Map<IpFamily, Map<String, Integer>> noLocal = new EnumMap<>(IpFamily.class);
        for (IpFamily f : families) {
            noLocal.put(f, HealthCheckPorts.noLocalEndpoints(report.snapshot(), host, f));
        }
        noLocalEndpoints = noLocal;
    }

    @Override
    public void syncFailed(Throwable error) {
        syncFailures.inc();
        if (!(error instanceof DataplaneException re) || !re.refused()) {   // only what the kernel refused
            return;
        }
        List<IpFamily> failed = re.family() == null ? families : List.of(re.family());
        for (IpFamily f : failed) {
            restoreFailures.labelValues(f.kubernetesName()).inc();
            if (re.partial()) {
                partialRestoreFailures.labelValues(f.kubernetesName()).inc();
            }
        }
    }

    /** One /healthz answer (kubeproxy_proxy_healthz_total). */
    public void healthzServed(int code) {
        healthzTotal.labelValues(Integer.toString(code)).inc();
    }

    /** One /livez answer (kubeproxy_proxy_livez_total). */
    public void livezServed(int code) {
        livezTotal.labelValues(Integer.toString(code)).inc();
    }

    /** The Prometheus text format (version 0.0.4). */
    public void writeTo(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        StringBuilder sb = new StringBuilder();
        gauge(sb, RULES_TOTAL, "Total number of iptables rules owned by kube-proxy", rulesPerTable, "table");
        gauge(sb, NO_LOCAL_ENDPOINTS, "Number of services with a Local traffic policy and no endpoints",
                noLocalEndpoints, "traffic_policy");
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Services whose ports, and services whose endpoints, differ from the previous applied snapshot. */
    private synchronized void countChanges(ClusterSnapshot snapshot) {
        Set<ServiceName> services = new HashSet<>();
        Set<ServiceName> endpoints = new HashSet<>();
        diff(previous.services(), snapshot.services(), services);
        diff(previous.endpoints(), snapshot.endpoints(), endpoints);
        previous = snapshot;
        serviceChangesTotal.inc(services.size());
        endpointChangesTotal.inc(endpoints.size());
    }

    private static <V> void diff(Map<io.svcproxy.model.ServicePortName, V> before,
                                 Map<io.svcproxy.model.ServicePortName, V> after, Set<ServiceName> changed) {
        before.forEach((k, v) -> {
            if (!v.equals(after.get(k))) {
                changed.add(k.service());
            }
        });
        after.forEach((k, v) -> {
            if (!before.containsKey(k)) {
                changed.add(k.service());
            }
        });
    }

    private static void gauge(StringBuilder sb, String name, String help, Map<IpFamily, Map<String, Integer>> values,
                              String label) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        values.forEach((family, byLabel) -> byLabel.forEach((value, count) -> sb.append(name)
                .append("{ip_family=\"").append(escape(family.kubernetesName())).append("\",")
                .append(label).append("=\"").append(escape(value)).append("\"} ").append(count).append('\n')));
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
