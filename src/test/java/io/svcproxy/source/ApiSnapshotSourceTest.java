package io.svcproxy.source;

import static io.svcproxy.testing.KubeObjects.HEADLESS_LABEL;
import static io.svcproxy.testing.KubeObjects.PROXY_NAME_LABEL;
import static io.svcproxy.testing.KubeObjects.node;
import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.TriggerTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** The API source against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class ApiSnapshotSourceTest {
    static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);

    KubernetesMockServer server;
    KubernetesClient client;
    private ApiSnapshotSource source;
    private final AtomicInteger changes = new AtomicInteger();

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private ApiSnapshotSource started() {
        source = new ApiSnapshotSource(client, false, "node-a", 100);
        source.start(changes::incrementAndGet);
        return source;
    }

    static List<String> ips(ClusterSnapshot s, ServicePortName name) {
        return s.endpointsOf(name).stream().map(Endpoint::ip).map(a -> a.getHostAddress()).sorted().toList();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void objectsInTheApiAreInTheSnapshot() {
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5", "10.244.1.6")).create();
        client.nodes().resource(node("node-a", "192.168.1.10")).create();
        client.nodes().resource(node("node-z", "192.168.1.99")).create();

        ClusterSnapshot s = started().current();

        assertEquals(List.of(WEB), List.copyOf(s.services().keySet()));
        assertEquals(List.of("10.244.1.5", "10.244.1.6"), ips(s, WEB));
        assertEquals("node-a", s.node().orElseThrow().name());
        assertSame(s, source.current(), "no change, no rebuild");
    }

    /**
     * A change to one Service leaves every other service port's values the same objects: the planners
     * tell unchanged services by identity, so a copy here would make every sync compare the cluster.
     */
    @Test
    void aChangeElsewhereKeepsUnchangedServicesTheSameObjects() throws Exception {
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        ClusterSnapshot before = started().current();
        int changesBefore = changes.get();

        client.services().resource(service("default", "other", "10.96.0.11", 80)).create();
        await("the listener", () -> changes.get() > changesBefore);
        await("the new service", () -> source.current().services().size() == 2);
        ClusterSnapshot after = source.current();

        assertSame(before.services().get(WEB), after.services().get(WEB));
        assertSame(before.endpointsOf(WEB), after.endpointsOf(WEB));
    }

    @Test
    void anUpdateCallsTheListenerAndTheSnapshotFollows() throws Exception {
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        started();
        int before = changes.get();

        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.7")).update();

        await("the listener", () -> changes.get() > before);
        await("the new endpoint", () -> ips(source.current(), WEB).equals(List.of("10.244.1.7")));

        client.services().inNamespace("default").withName("web").delete();
        await("the deletion", () -> source.current().services().isEmpty());
    }

    @Test
    void servicesOfAnotherProxyAndHeadlessSlicesAreIgnored() throws Exception {
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.services().resource(service("default", "other", "10.96.0.11", 80,
                Map.of(PROXY_NAME_LABEL, "someone-else"))).create();
        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        client.resource(slice("default", "web", "web-headless", 8080, null, Map.of(HEADLESS_LABEL, ""),
                "10.244.9.9")).create();
        client.resource(slice("default", "other", "other-1", 8080, null, "10.244.1.8")).create();

        ClusterSnapshot s = started().current();

        assertEquals(List.of(WEB), List.copyOf(s.services().keySet()));
        assertEquals(List.of("10.244.1.5"), ips(s, WEB));
    }

    @Test
    void theClientSideGuardDropsWhatTheServerShouldHaveFilteredOut() {
        assertFalse(ApiSnapshotSource.proxied(service("default", "x", "10.96.0.1", 80, Map.of(PROXY_NAME_LABEL, "p"))));
        assertFalse(ApiSnapshotSource.proxied(slice("default", "x", "x-1", 80, null, Map.of(HEADLESS_LABEL, ""))));
        assertTrue(ApiSnapshotSource.proxied(service("default", "x", "10.96.0.1", 80, Map.of("app", "x"))));
        assertTrue(ApiSnapshotSource.proxied(new ServiceBuilder().withNewMetadata().withName("x").endMetadata().build()));
    }

    @Test
    void theServerSideSelectorIsSentAndHonoured() {
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.services().resource(service("default", "other", "10.96.0.11", 80,
                Map.of(PROXY_NAME_LABEL, "someone-else"))).create();
        List<Service> listed = client.services().inAnyNamespace().withLabelSelector("!" + PROXY_NAME_LABEL
                + ",!" + HEADLESS_LABEL).list().getItems();
        assertEquals(List.of("web"), listed.stream().map(o -> o.getMetadata().getName()).toList());
    }

    @Test
    void triggerTimesAreQueuedPerSliceChangeAndDrained() throws Exception {
        Instant t1 = Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.resource(slice("default", "web", "web-1", 8080, t1, "10.244.1.5")).create();
        started();
        assertEquals(List.of(), source.takeTriggerTimes(), "the initial list is no new change");

        Instant t2 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusMillis(1);
        EndpointSlice changed = slice("default", "web", "web-1", 8080, t2, "10.244.1.6");
        client.resource(changed).update();
        await("the update", () -> ips(source.current(), WEB).equals(List.of("10.244.1.6")));
        assertEquals(List.of(new TriggerTime(IpFamily.V4, t2)), source.takeTriggerTimes(), "an IPv4 slice's");
        assertEquals(List.of(), source.takeTriggerTimes(), "drained");
    }

    @Test
    void triggerTimeAnnotationParsing() {
        String key = TriggerTimes.ANNOTATION;
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), TriggerTimes.parse(Map.of(key, "2024-05-01T10:00:00Z")).orElseThrow());
        assertEquals(Instant.parse("2024-05-01T08:00:00.5Z"),
                TriggerTimes.parse(Map.of(key, "2024-05-01T10:00:00.5+02:00")).orElseThrow());
        assertTrue(TriggerTimes.parse(Map.of(key, "yesterday")).isEmpty());
        assertTrue(TriggerTimes.parse(Map.of()).isEmpty());
        assertTrue(TriggerTimes.parse(null).isEmpty());

        TriggerTimes times = new TriggerTimes();
        times.ignoreBefore(Instant.parse("2024-05-01T10:00:00Z"));
        times.record("IPv4", Map.of(key, "2024-05-01T09:59:59Z"));
        times.record("IPv4", Map.of(key, "2024-05-01T10:00:01Z"));
        times.record("IPv6", Map.of(key, "2024-05-01T10:00:02Z"));
        times.record("FQDN", Map.of(key, "2024-05-01T10:00:03Z"));   // no family programs an FQDN slice
        times.record(null, Map.of(key, "2024-05-01T10:00:04Z"));
        times.record("IPv4", Map.of("other", "x"));
        assertEquals(List.of(new TriggerTime(IpFamily.V4, Instant.parse("2024-05-01T10:00:01Z")),
                new TriggerTime(IpFamily.V6, Instant.parse("2024-05-01T10:00:02Z"))), times.take());
        assertEquals(List.of(), times.take());
    }

    @Test
    void noSnapshotBeforeTheInitialLists() {
        source = new ApiSnapshotSource(client, false, "node-a", 100);
        assertThrows(IllegalStateException.class, source::current);
        source.startInformers(changes::incrementAndGet);
        assertTrue(source.awaitInitialSync(Duration.ofSeconds(20)));
        assertTrue(source.current().services().isEmpty());
    }
}
