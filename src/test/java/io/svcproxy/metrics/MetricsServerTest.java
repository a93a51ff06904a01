package io.svcproxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.apply.RestoreException;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.health.MutableClock;
import io.svcproxy.health.TestSnapshots;
import io.svcproxy.httpd.Http;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.TriggerTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

class MetricsServerTest {
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final ProxyMetrics metrics = new ProxyMetrics(clock, List.of(IpFamily.V4, IpFamily.V6),
            s -> TestSnapshots.NODE);
    private MetricsServer server;

    /** kube-proxy's iptables-mode families: name, type, label names. */
    private static final Map<String, String> KUBE_PROXY = Map.ofEntries(
            Map.entry("kubeproxy_sync_proxy_rules_duration_seconds", "histogram ip_family"),
            Map.entry("kubeproxy_sync_full_proxy_rules_duration_seconds", "histogram ip_family"),
            Map.entry("kubeproxy_sync_partial_proxy_rules_duration_seconds", "histogram ip_family"),
            Map.entry("kubeproxy_network_programming_duration_seconds", "histogram ip_family"),
            Map.entry("kubeproxy_sync_proxy_rules_last_timestamp_seconds", "gauge ip_family"),
            Map.entry("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", "gauge ip_family"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_total", "gauge ip_family,table"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_restore_failures_total", "counter ip_family"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total", "counter ip_family"),
            Map.entry("kubeproxy_sync_proxy_rules_endpoint_changes_pending", "gauge "),
            Map.entry("kubeproxy_sync_proxy_rules_endpoint_changes_total", "counter "),
            Map.entry("kubeproxy_sync_proxy_rules_service_changes_pending", "gauge "),
            Map.entry("kubeproxy_sync_proxy_rules_service_changes_total", "counter "),
            Map.entry("kubeproxy_sync_proxy_rules_no_local_endpoints_total", "gauge ip_family,traffic_policy"),
            Map.entry("kubeproxy_proxy_healthz_total", "counter code"),
            Map.entry("kubeproxy_proxy_livez_total", "counter code"),
            Map.entry("svcproxy_drift_repairs_total", "counter ip_family"),
            Map.entry("svcproxy_iptables_restore_payload_bytes", "histogram ip_family"),
            Map.entry("svcproxy_iptables_restore_writes_total", "counter ip_family"),
            Map.entry("svcproxy_conntrack_entries_deleted_total", "counter "),
            Map.entry("svcproxy_sync_failures_total", "counter "));

    @BeforeEach
    void start() throws Exception {
        server = MetricsServer.start(Http.loopback(), metrics, ProxyMode.IPTABLES);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Map<String, TextFormat.Family> scrape() throws Exception {
        HttpResponse<String> r = Http.get(server.address(), "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return TextFormat.parse(r.body());
    }

    private static ClusterSnapshot cluster(int localReady) {
        ServicePort lb = TestSnapshots.localLb(TestSnapshots.name("web", "shop", "http"), "10.96.0.20", 80, 30080,
                32000);
        ServicePort other = TestSnapshots.localLb(TestSnapshots.name("web", "cart", "http"), "10.96.0.21", 80, 30081,
                32001);
        List<io.svcproxy.model.Endpoint> eps = localReady > 0
                ? List.of(TestSnapshots.ready("10.244.1.5", 8080, TestSnapshots.NODE))
                : List.of(TestSnapshots.ready("10.244.2.5", 8080, "node-b"));
        return TestSnapshots.snapshot(Map.of(lb, eps, other, List.of()));
    }

    private static SyncReport report(boolean full, ClusterSnapshot snapshot, List<TriggerTime> triggers) {
        List<FamilyResult> results = List.of(
                new FamilyResult(IpFamily.V4, full, 2, 4000, full ? 3 : 0, 40, 2,
                        Map.of("filter", 12, "nat", 60, "mangle", 0)),
                new FamilyResult(IpFamily.V6, full, 0, 0, 0, 0, 0, Map.of("filter", 10, "nat", 8)));
        return new SyncReport(full, results, 4, Duration.ofMillis(30), snapshot, triggers);
    }

    private static double value(Map<String, TextFormat.Family> f, String name, Map<String, String> labels) {
        String family = f.containsKey(name) ? name : name.replaceAll("_(bucket|sum|count)$", "");
        return f.get(family).samples().stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .findFirst().orElseThrow(() -> new AssertionError(name + labels + " missing")).value();
    }

    @Test
    void everyFamilyWithItsTypeAndLabelsAfterASuccessfulAndAFailedSync() throws Exception {
        metrics.syncQueued();
        clock.advance(Duration.ofSeconds(2));
        metrics.syncSucceeded(report(true, cluster(1), List.of(new TriggerTime(IpFamily.V4, T0.minusMillis(500)))));
        metrics.syncQueued();
        metrics.syncFailed(new RestoreException("refused", 3, "").in(IpFamily.V4, true));
        metrics.healthzServed(200);
        metrics.livezServed(503);

        Map<String, TextFormat.Family> f = scrape();
        for (Map.Entry<String, String> e : KUBE_PROXY.entrySet()) {
            TextFormat.Family family = f.get(e.getKey());
            assertNotNull(family, e.getKey() + " missing; have " + f.keySet());
            String[] spec = e.getValue().split(" ", -1);
            assertEquals(spec[0], family.type(), e.getKey());
            assertTrue(!family.samples().isEmpty(), e.getKey() + " has no samples");
            Set<String> want = spec[1].isEmpty() ? Set.of() : Set.of(spec[1].split(","));
            for (TextFormat.Sample s : family.samples()) {
                Set<String> have = new TreeSet<>(s.labels().keySet());
                have.remove("le");
                assertEquals(want, have, s.toString());
            }
        }
        Map<String, String> v4 = Map.of("ip_family", "IPv4");
        Map<String, String> v6 = Map.of("ip_family", "IPv6");
        assertEquals(1, value(f, "kubeproxy_sync_proxy_rules_duration_seconds_count", v4));
        assertEquals(0.03, value(f, "kubeproxy_sync_proxy_rules_duration_seconds_sum", v4), 1e-9);
        assertEquals(1, value(f, "kubeproxy_sync_full_proxy_rules_duration_seconds_count", v6));
        assertEquals(0, value(f, "kubeproxy_sync_partial_proxy_rules_duration_seconds_count", v6));
        assertEquals(2.5, value(f, "kubeproxy_network_programming_duration_seconds_sum", v4), 1e-9);
        assertEquals(T0.plusSeconds(2).getEpochSecond(),
                value(f, "kubeproxy_sync_proxy_rules_last_timestamp_seconds", v4), 1e-3);
        assertEquals(T0.plusSeconds(2).getEpochSecond(),
                value(f, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", v6), 1e-3);
        assertEquals(60, value(f, "kubeproxy_sync_proxy_rules_iptables_total", Map.of("ip_family", "IPv4", "table", "nat")));
        assertEquals(10, value(f, "kubeproxy_sync_proxy_rules_iptables_total", Map.of("ip_family", "IPv6", "table", "filter")));
        assertEquals(1, value(f, "kubeproxy_sync_proxy_rules_iptables_restore_failures_total", v4));
        assertEquals(0, value(f, "kubeproxy_sync_proxy_rules_iptables_restore_failures_total", v6));
        assertEquals(1, value(f, "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total", v4));
        assertEquals(1, value(f, "kubeproxy_sync_proxy_rules_endpoint_changes_pending", Map.of()));
        assertEquals(1, value(f, "kubeproxy_sync_proxy_rules_service_changes_pending", Map.of()));
        assertEquals(2, value(f, "kubeproxy_sync_proxy_rules_service_changes_total", Map.of()), "two services appeared");
        assertEquals(2, value(f, "kubeproxy_sync_proxy_rules_endpoint_changes_total", Map.of()));
        // web/cart is Local with no endpoints at all; web/shop has one here
        assertEquals(1, value(f, "kubeproxy_sync_proxy_rules_no_local_endpoints_total",
                Map.of("ip_family", "IPv4", "traffic_policy", "external")));
        assertEquals(0, value(f, "kubeproxy_sync_proxy_rules_no_local_endpoints_total",
                Map.of("ip_family", "IPv4", "traffic_policy", "internal")));
        assertEquals(1, value(f, "kubeproxy_proxy_healthz_total", Map.of("code", "200")));
        assertEquals(1, value(f, "kubeproxy_proxy_livez_total", Map.of("code", "503")));
        assertEquals(3, value(f, "svcproxy_drift_repairs_total", v4));
        assertEquals(2, value(f, "svcproxy_iptables_restore_writes_total", v4));
        assertEquals(4000, value(f, "svcproxy_iptables_restore_payload_bytes_sum", v4));
        assertEquals(4, value(f, "svcproxy_conntrack_entries_deleted_total", Map.of()));
        assertEquals(1, value(f, "svcproxy_sync_failures_total", Map.of()));

        // a second sync: only web/shop's endpoints changed; partial this time
        metrics.syncSucceeded(report(false, cluster(0), List.of()));
        f = scrape();
        assertEquals(2, value(f, "kubeproxy_sync_proxy_rules_service_changes_total", Map.of()));
        assertEquals(3, value(f, "kubeproxy_sync_proxy_rules_endpoint_changes_total", Map.of()));
        assertEquals(0, value(f, "kubeproxy_sync_proxy_rules_endpoint_changes_pending", Map.of()));
        assertEquals(1, value(f, "kubeproxy_sync_partial_proxy_rules_duration_seconds_count", v4));
        assertEquals(2, value(f, "kubeproxy_sync_proxy_rules_no_local_endpoints_total",
                Map.of("ip_family", "IPv4", "traffic_policy", "external")));
    }

    @Test
    void aTriggerTimeIsObservedOnlyForItsSlicesFamily() throws Exception {
        clock.advance(Duration.ofSeconds(2));
        // a dual-stack sync: two IPv4 slices changed 2.5 s and 3 s ago, one IPv6 slice 4 s ago
        metrics.syncSucceeded(report(true, cluster(1), List.of(new TriggerTime(IpFamily.V4, T0.minusMillis(500)),
                new TriggerTime(IpFamily.V6, T0.minusSeconds(2)), new TriggerTime(IpFamily.V4, T0.minusSeconds(1)))));
        Map<String, TextFormat.Family> f = scrape();
        Map<String, String> v4 = Map.of("ip_family", "IPv4");
        Map<String, String> v6 = Map.of("ip_family", "IPv6");
        assertEquals(2, value(f, "kubeproxy_network_programming_duration_seconds_count", v4));
        assertEquals(5.5, value(f, "kubeproxy_network_programming_duration_seconds_sum", v4), 1e-9);
        assertEquals(1, value(f, "kubeproxy_network_programming_duration_seconds_count", v6));
        assertEquals(4.0, value(f, "kubeproxy_network_programming_duration_seconds_sum", v6), 1e-9);

        // an IPv4-only change in a dual-stack sync: nothing for IPv6
        clock.advance(Duration.ofSeconds(1));
        metrics.syncSucceeded(report(false, cluster(1), List.of(new TriggerTime(IpFamily.V4, T0.plusSeconds(2)))));
        f = scrape();
        assertEquals(3, value(f, "kubeproxy_network_programming_duration_seconds_count", v4));
        assertEquals(6.5, value(f, "kubeproxy_network_programming_duration_seconds_sum", v4), 1e-9);
        assertEquals(1, value(f, "kubeproxy_network_programming_duration_seconds_count", v6));
    }

    @Test
    void everyFamilyIsThereBeforeTheFirstSync() throws Exception {
        Map<String, TextFormat.Family> f = scrape();
        assertEquals(new TreeSet<>(KUBE_PROXY.keySet()), new TreeSet<>(f.keySet()));
    }

    @Test
    void kubeProxysBuckets() throws Exception {
        Map<String, TextFormat.Family> f = scrape();
        Set<String> sync = f.get("kubeproxy_sync_proxy_rules_duration_seconds").samples().stream()
                .filter(s -> s.labels().get("ip_family").equals("IPv4") && s.labels().containsKey("le"))
                .map(s -> s.labels().get("le")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(16, sync.size(), sync.toString());
        assertTrue(sync.contains("0.001") && sync.contains("16.384") && sync.contains("+Inf"), sync.toString());
        long npl = f.get("kubeproxy_network_programming_duration_seconds").samples().stream()
                .filter(s -> s.labels().get("ip_family").equals("IPv4") && s.labels().containsKey("le")).count();
        assertEquals(3 + 59 + 12 + 7 + 1, npl);
    }

    @Test
    void proxyModeAndNothingElse() throws Exception {
        HttpResponse<String> r = Http.get(server.address(), "/proxyMode");
        assertEquals(200, r.statusCode());
        assertEquals("iptables", r.body());
        assertEquals(405, Http.send("POST", server.address(), "/metrics").statusCode());
        assertEquals(404, Http.get(server.address(), "/debug/pprof/").statusCode());
        assertEquals(404, Http.get(server.address(), "/healthz").statusCode());
        try (MetricsServer ipvs = MetricsServer.start(Http.loopback(), metrics, ProxyMode.IPVS)) {
            assertEquals("ipvs", Http.get(ipvs.address(), "/proxyMode").body());
        }
    }
}
