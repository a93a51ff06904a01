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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.testing.ScriptedApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * How the EndpointSlices of a Service become its endpoints, as kube-proxy's EndpointSliceCache does
 * it: every slice labelled with the service counts whoever manages it (the EndpointSlice controller,
 * the mirroring controller for a selectorless Service's Endpoints, another controller); endpoints are
 * merged across slices and deduplicated by ip:port; slices of a Service that does not exist (yet, or
 * any more) give no rules. Upstream keeps the first duplicate it meets in a map walk (unordered) unless
 * a later one is local; here the ready one wins, else the first by slice name (deterministic).
 */
class EndpointSliceSemanticsTest {
    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);
    private static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";

    private final ScriptedApiServer api = new ScriptedApiServer();
    private SourceDaemon daemon;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        api.close();
    }

    private void start() throws InterruptedException {
        api.put(NODES, node(SourceDaemon.NODE, "192.168.1.10"));
        daemon = new SourceDaemon(api.url());
        await("the initial sync", () -> daemon.lastSync() != null);
        await("the watches", () -> api.openWatches(SERVICES) == 1 && api.openWatches(SLICES) == 1);
    }

    private List<String> web() {
        return ips(daemon.lastSync(), WEB);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static EndpointSlice notReady(EndpointSlice s) {
        s.getEndpoints().forEach(e -> e.getConditions().setReady(false));
        return s;
    }

    @Test
    void theSlicesOfAServiceAreMergedWhoeverManagesThem() throws Exception {
        start();
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        api.put(SLICES, slice("default", "web", "web-abcde", 8080, null,
                Map.of(MANAGED_BY, "endpointslice-controller.k8s.io"), "10.244.1.5", "10.244.1.6"));
        api.put(SLICES, slice("default", "web", "web-fghij", 8080, null,
                Map.of(MANAGED_BY, "endpointslice-controller.k8s.io"), "10.244.1.7"));
        // The mirroring controller's copy of a hand-written Endpoints object, and another controller's slice.
        api.put(SLICES, slice("default", "web", "web-mirror", 8080, null,
                Map.of(MANAGED_BY, "endpointslicemirroring-controller.k8s.io"), "10.244.9.1"));
        api.put(SLICES, slice("default", "web", "web-custom", 8080, null,
                Map.of(MANAGED_BY, "my-controller.example.com"), "10.244.9.2"));
        await("all four slices", () -> web().equals(List.of("10.244.1.5", "10.244.1.6", "10.244.1.7", "10.244.9.1",
                "10.244.9.2")));

        api.delete(SLICES, "default", "web-fghij", true);
        await("one slice gone, the others stay", () -> web().equals(List.of("10.244.1.5", "10.244.1.6", "10.244.9.1",
                "10.244.9.2")));
        assertFalse(daemon.rules().contains("10.244.1.7:8080"), daemon.rules());
    }

    @Test
    void slicesBeforeTheirServiceAndAfterItsDeletionGiveNoRules() throws Exception {
        start();
        // The slice is written first (the controllers race): no Service, no rules.
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.5"));
        api.put(SERVICES, service("default", "marker", "10.96.0.99", 80));
        await("the marker", () -> daemon.lastSync().services().size() == 1);
        assertTrue(daemon.lastSync().endpoints().isEmpty(), daemon.lastSync().endpoints().toString());
        assertFalse(daemon.rules().contains("10.244.1.5"), daemon.rules());

        // The Service arrives: its endpoints come from the slice already cached.
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        await("web with the earlier slice", () -> web().equals(List.of("10.244.1.5")));
        assertTrue(daemon.rules().contains("--to-destination 10.244.1.5:8080"), daemon.rules());

        // The Service is deleted; its slice lingers until garbage collection, and a late write adds another.
        api.delete(SERVICES, "default", "web", true);
        api.put(SLICES, slice("default", "web", "web-2", 8080, null, "10.244.1.6"));
        api.put(SERVICES, service("default", "marker2", "10.96.0.98", 80));
        await("web gone", () -> daemon.lastSync().services().size() == 2
                && !daemon.lastSync().services().containsKey(WEB));
        assertFalse(daemon.rules().contains("default/web"), daemon.rules());
        assertFalse(daemon.rules().contains("10.244.1.5") || daemon.rules().contains("10.244.1.6"), daemon.rules());

        // Re-created: both lingering slices count again.
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        await("web back", () -> web().equals(List.of("10.244.1.5", "10.244.1.6")));
    }

    @Test
    void anEndpointInSeveralSlicesIsOneBackendAndTheReadyOneWins() throws Exception {
        start();
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        // A rollover: the old slice still lists 10.244.1.5 not ready, the new one lists it ready.
        api.put(SLICES, notReady(slice("default", "web", "web-a", 8080, null, "10.244.1.5", "10.244.1.6")));
        api.put(SLICES, slice("default", "web", "web-b", 8080, null, "10.244.1.5"));
        // Both slices applied: the addresses alone are already right after the first one (not ready).
        await("merged", () -> web().equals(List.of("10.244.1.5", "10.244.1.6"))
                && daemon.lastSync().endpointsOf(WEB).get(0).ready());
        List<Endpoint> eps = daemon.lastSync().endpointsOf(WEB);
        assertTrue(eps.get(0).ready(), "the ready duplicate wins: " + eps);
        assertFalse(eps.get(1).ready(), eps.toString());
        String rules = daemon.rules();
        assertEquals(1, count(rules, "--to-destination 10.244.1.5:8080"), "one backend, not two:\n" + rules);
        assertFalse(rules.contains("--to-destination 10.244.1.6:8080"), "not ready, not serving: no backend\n" + rules);

        // Exact duplicates (both ready) are one backend too; removing one slice keeps the endpoint.
        api.put(SLICES, slice("default", "web", "web-a", 8080, null, "10.244.1.5"));
        await("both ready", () -> web().equals(List.of("10.244.1.5")));
        assertEquals(1, count(daemon.rules(), "--to-destination 10.244.1.5:8080"), daemon.rules());
        api.delete(SLICES, "default", "web-b", true);
        api.put(SERVICES, service("default", "marker", "10.96.0.99", 80));
        await("the marker", () -> daemon.lastSync().services().size() == 2);
        ClusterSnapshot last = daemon.lastSync();
        assertEquals(List.of("10.244.1.5"), ips(last, WEB), "still listed by web-a");
        assertEquals(1, count(daemon.rules(), "--to-destination 10.244.1.5:8080"), daemon.rules());
    }
}
