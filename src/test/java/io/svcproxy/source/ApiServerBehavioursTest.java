package io.svcproxy.source;

import static io.svcproxy.source.ApiSnapshotSourceTest.ips;
import static io.svcproxy.testing.ScriptedApiServer.Kind.NODES;
import static io.svcproxy.testing.ScriptedApiServer.Kind.SERVICES;
import static io.svcproxy.testing.ScriptedApiServer.Kind.SLICES;
import static io.svcproxy.source.SourceDaemon.await;
import static io.svcproxy.testing.KubeObjects.node;
import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.health.HealthServer;
import io.svcproxy.health.ProxyHealth;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.testing.ScriptedApiServer.Request;
import io.svcproxy.testing.LogCapture;
import io.svcproxy.testing.ScriptedApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The API source, wired as the daemon wires it (sync loop, planner, a faithful iptables), against
 * what a real kube-apiserver does and fabric8's CRUD mock does not ({@link ScriptedApiServer}):
 * watches that expire (410 Gone), bookmarks and watches ending at their timeout, RBAC refusing a
 * verb, throttling with Retry-After, paged lists.
 */
class ApiServerBehavioursTest {
    static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);

    private final ScriptedApiServer api = new ScriptedApiServer();
    private SourceDaemon daemon;
    private HealthServer healthServer;

    @AfterEach
    void tearDown() throws Exception {
        if (healthServer != null) {
            healthServer.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        api.close();
    }

    private static ServicePortName port(String service) {
        return new ServicePortName("default", service, "http", Protocol.TCP);
    }

    /** web (one endpoint) and {@code others} more services with one endpoint each. */
    private void cluster(int others) {
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.5"));
        for (int i = 0; i < others; i++) {
            api.put(SERVICES, service("default", "other-" + i, "10.96.1." + (10 + i), 80));
            api.put(SLICES, slice("default", "other-" + i, "other-" + i + "-1", 8080, null, "10.244.2." + (10 + i)));
        }
        api.put(NODES, node(SourceDaemon.NODE, "192.168.1.10"));
    }

    private List<String> lastIps(ServicePortName name) {
        ClusterSnapshot last = daemon.lastSync();
        return last == null ? List.of() : ips(last, name);
    }

    private void startedAndWatching() throws InterruptedException {
        daemon = new SourceDaemon(api.url());
        await("the initial sync", () -> lastIps(WEB).equals(List.of("10.244.1.5")));
        await("the watches", () -> api.openWatches(SERVICES) == 1 && api.openWatches(SLICES) == 1
                && api.openWatches(NODES) == 1);
    }

    /** No sync ever had an empty snapshot, and after every one web's backend was in the rules. */
    private void neverEmpty(int services, String... webBackends) {
        for (ClusterSnapshot s : daemon.syncs) {
            assertEquals(services, s.services().size(), "a sync with services missing");
        }
        for (String rules : daemon.rulesAfterSync) {
            boolean has = false;
            for (String b : webBackends) {
                has |= rules.contains("--to-destination " + b + ":8080");
            }
            assertTrue(has, "web's backend missing from the rules after a sync:\n" + rules);
        }
    }

    @Test
    void aWatchAnswered410GoneIsRelistedWithoutAnEmptyRulesetAndOneSync() throws Exception {
        cluster(5);
        startedAndWatching();
        int syncsBefore = daemon.syncs.size();
        int requestsBefore = daemon.syncRequests.get();

        // The watch misses a change (etcd compacted past its version), then the server says 410 Gone.
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.7"), false);
        api.expireWatches(SLICES);
        await("the relist's sync", () -> lastIps(WEB).equals(List.of("10.244.1.7")));
        await("the list and the watch after the 410", () -> api.requests(SLICES, false).size() == 2
                && api.openWatches(SLICES) == 1);

        // A change through the new watch, on the same informer: every callback of the relist came before it.
        api.put(SLICES, slice("default", "other-0", "other-0-1", 8080, null, "10.244.2.99"));
        await("the change after the relist", () -> lastIps(port("other-0")).equals(List.of("10.244.2.99")));

        System.out.println("[410 Gone] syncs after the relist and the later change: "
                + (daemon.syncs.size() - syncsBefore) + ", sync requests: " + (daemon.syncRequests.get() - requestsBefore)
                + ", lists of slices: " + api.requests(SLICES, false).size());
        assertEquals(2, daemon.syncRequests.get() - requestsBefore,
                "one sync request for the relist (it repeats 5 unchanged slices), one for the later change");
        assertEquals(2, daemon.syncs.size() - syncsBefore, "one sync for the relist, one for the later change");
        neverEmpty(6, "10.244.1.5", "10.244.1.7");
        assertEquals(List.of(), daemon.failures);
    }

    @Test
    void aBookmarkAndAWatchEndingAtItsTimeoutResumeFromTheLastResourceVersion() throws Exception {
        cluster(0);
        startedAndWatching();
        Request first = api.requests(SLICES, true).get(0);
        assertEquals("true", first.param("allowWatchBookmarks"), first.url().toString());
        int requestsBefore = daemon.syncRequests.get();

        // An event, then other collections move the version on and a bookmark says so.
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.6"));
        String eventVersion = api.currentVersion();
        api.put(NODES, node("node-z", "192.168.1.99"), false);
        String bookmark = api.bookmark(SLICES);
        await("the event", () -> lastIps(WEB).equals(List.of("10.244.1.6")));
        // The server ends the watch cleanly (its timeoutSeconds ran out).
        api.closeWatches(SLICES);
        await("the next watch", () -> api.requests(SLICES, true).size() == 2);
        Request second = api.requests(SLICES, true).get(1);
        System.out.println("[bookmark] event at " + eventVersion + ", bookmark at " + bookmark + "; next watch: "
                + second.url());
        assertEquals(bookmark, second.param("resourceVersion"), "resumed from the bookmark's version");

        // Without a bookmark: resumed from the last event's version.
        await("the watch open", () -> api.openWatches(SLICES) == 1);
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.7"));
        String lastEvent = api.currentVersion();
        await("the second event", () -> lastIps(WEB).equals(List.of("10.244.1.7")));
        api.closeWatches(SLICES);
        await("the third watch", () -> api.requests(SLICES, true).size() == 3);
        assertEquals(lastEvent, api.requests(SLICES, true).get(2).param("resourceVersion"));

        assertEquals(1, api.requests(SLICES, false).size(), "resumed, never relisted");
        assertEquals(2, daemon.syncRequests.get() - requestsBefore, "one sync per event; none for a bookmark or a watch end");
    }

    private String healthz() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + healthServer.address().getPort() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private void serveHealth() throws Exception {
        ProxyHealth health = new ProxyHealth(Clock.systemUTC(), Duration.ofMinutes(1));
        health.setSourceProblem(daemon.source::problem);
        healthServer = HealthServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), health);
    }

    @Test
    void aRefusedInitialListIsNamedInTheLogAndHealthAndNoEmptyNodeIsSynced() throws Exception {
        cluster(0);
        api.answerLists(SLICES, r -> ScriptedApiServer.forbidden(SLICES, "list"));
        try (LogCapture log = new LogCapture(ApiRefusals.class)) {
            daemon = new SourceDaemon(api.url());
            serveHealth();
            await("three refused lists", () -> api.requests(SLICES, false).size() >= 3);
            String health = healthz();
            System.out.println("[403 list] " + daemon.source.problem().orElse("(none)") + "; /healthz: " + health
                    + "; log: " + log.lines());
            assertEquals(List.of(), daemon.syncs, "no sync while a list is refused: never an empty node");
            assertTrue(daemon.kernel.payloads.isEmpty());
            assertTrue(daemon.source.problem().orElse("").contains("list endpointslices.discovery.k8s.io (403 Forbidden)"),
                    daemon.source.problem().toString());
            assertTrue(health.startsWith("503 ") && health.contains("\"sourceProblem\": \"the API server refuses to list "
                    + "endpointslices.discovery.k8s.io (403 Forbidden)\""), health);
            List<String> errors = log.matching("refuses to list endpointslices.discovery.k8s.io");
            assertEquals(1, errors.size(), "logged once, not once per retry: " + log.lines());
            assertTrue(errors.get(0).startsWith("ERROR"), errors.get(0));

            api.answerLists(SLICES, null); // RBAC fixed
            await("the first sync", () -> lastIps(WEB).equals(List.of("10.244.1.5")));
            await("ready again", () -> daemon.source.problem().isEmpty());
            assertTrue(healthz().startsWith("200 "));
            assertEquals(1, log.matching("allows list endpointslices.discovery.k8s.io again").size(), log.lines().toString());
        }
    }

    @Test
    void aRefusedWatchIsNamedInTheLogAndHealthAndTheRulesStay() throws Exception {
        cluster(0);
        try (LogCapture log = new LogCapture(ApiRefusals.class)) {
            startedAndWatching();
            serveHealth();
            assertTrue(healthz().startsWith("200 "));
            // RBAC loses "watch"; the open watch ends at its timeout and the next one is refused.
            api.answerWatches(SLICES, r -> ScriptedApiServer.forbidden(SLICES, "watch"));
            api.closeWatches(SLICES);
            await("three refused watches", () -> api.requests(SLICES, true).size() >= 4);
            String health = healthz();
            System.out.println("[403 watch] " + daemon.source.problem().orElse("(none)") + "; /healthz: " + health);
            assertTrue(daemon.source.problem().orElse("").contains("watch endpointslices.discovery.k8s.io (403 Forbidden)"),
                    daemon.source.problem().toString());
            assertTrue(health.startsWith("503 "), health);
            assertEquals(1, log.matching("refuses to watch endpointslices.discovery.k8s.io").size(), log.lines().toString());
            neverEmpty(1, "10.244.1.5");

            api.answerWatches(SLICES, null);
            await("ready again", () -> daemon.source.problem().isEmpty());
            await("the watch back", () -> api.openWatches(SLICES) == 1);
            api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.9"));
            await("a change through it", () -> lastIps(WEB).equals(List.of("10.244.1.9")));
            assertTrue(healthz().startsWith("200 "));
        }
    }

    @Test
    void throttledListsWaitForRetryAfterAndBackOff() throws Exception {
        cluster(0);
        // API Priority and Fairness throttles this client: 429 then 503, each with Retry-After: 2.
        int[] n = {0};
        api.answerLists(SLICES, r -> n[0]++ % 2 == 0 ? ScriptedApiServer.tooManyRequests(2)
                : ScriptedApiServer.unavailable(2));
        daemon = new SourceDaemon(api.url());
        await("five throttled lists", Duration.ofSeconds(90), () -> api.requests(SLICES, false).size() >= 5);
        List<Request> lists = api.requests(SLICES, false);
        List<Long> gapsMs = new ArrayList<>();
        for (int i = 1; i < lists.size(); i++) {
            gapsMs.add((lists.get(i).nanos() - lists.get(i - 1).nanos()) / 1_000_000);
        }
        System.out.println("[429/503] " + lists.size() + " lists of slices, gaps between them (ms): " + gapsMs);
        // Slowness only widens gaps: a lower bound is safe. A storm would be milliseconds apart.
        for (long gap : gapsMs) {
            assertTrue(gap >= 1900, "retried sooner than Retry-After (2 s): " + gapsMs);
        }
        assertEquals(List.of(), daemon.syncs, "no sync before the initial lists");

        api.answerLists(SLICES, null);
        await("the first sync", Duration.ofSeconds(90), () -> lastIps(WEB).equals(List.of("10.244.1.5")));
    }

    @Test
    void aWatchThrottledWithAnErrorEventComesBackAfterRetryAfterFromItsVersion() throws Exception {
        cluster(0);
        startedAndWatching();
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.6"));
        String version = api.currentVersion();
        await("the event", () -> lastIps(WEB).equals(List.of("10.244.1.6")));
        long t0 = System.nanoTime();
        api.throttleWatches(SLICES, 3);
        await("the next watch", Duration.ofSeconds(60), () -> api.requests(SLICES, true).size() == 2);
        Request next = api.requests(SLICES, true).get(1);
        long ms = (next.nanos() - t0) / 1_000_000;
        System.out.println("[429 watch] next watch after " + ms + " ms (Retry-After 3 s): " + next.url());
        assertTrue(ms >= 2900, "came back sooner than Retry-After: " + ms + " ms");
        assertEquals(version, next.param("resourceVersion"), "resumed, not relisted");
        assertEquals(1, api.requests(SLICES, false).size());
    }

    @Test
    void aPagedInitialListGivesTheWholeSnapshot() throws Exception {
        int services = 1100; // three pages of 500 for Services and for EndpointSlices
        for (int i = 0; i < services; i++) {
            String name = "svc-" + i;
            api.put(SERVICES, service("default", name, "10.96." + (i / 250) + "." + (i % 250 + 1), 80));
            api.put(SLICES, slice("default", name, name + "-1", 8080, null, "10.244." + (i / 250) + "." + (i % 250 + 1)));
        }
        api.put(NODES, node(SourceDaemon.NODE, "192.168.1.10"));
        daemon = new SourceDaemon(api.url());
        await("the initial sync", Duration.ofSeconds(60), () -> daemon.lastSync() != null);
        List<Request> lists = api.requests(SLICES, false);
        System.out.println("[paged] slice lists: " + lists.stream().map(r -> r.url().query()).toList());
        assertEquals(3, lists.size(), "three pages");
        assertEquals(3, api.requests(SERVICES, false).size(), "three pages");
        assertEquals(lists.get(0).param("limit"), lists.get(1).param("limit"));
        ClusterSnapshot first = daemon.syncs.get(0);
        assertEquals(services, first.services().size());
        for (int i = 0; i < services; i++) {
            assertEquals(List.of("10.244." + (i / 250) + "." + (i % 250 + 1)), ips(first, port("svc-" + i)), "svc-" + i);
        }
    }
}
