package io.svcproxy.source;

import static io.svcproxy.source.ApiSnapshotSourceTest.WEB;
import static io.svcproxy.source.ApiSnapshotSourceTest.await;
import static io.svcproxy.source.ApiSnapshotSourceTest.ips;
import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.testing.TcpRelay;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * API server outages, with a CRUD mock server stopped and started again on the same port: the last
 * state is kept while it is gone, the source converges when it is back, and nothing is offered
 * before the initial lists arrived.
 */
class ApiOutageTest {
    private final int port = freePort();
    private final int relayPort = freePort();
    private TcpRelay relay;
    private final AtomicInteger changes = new AtomicInteger();
    private final AtomicInteger relisted = new AtomicInteger();
    private KubernetesMockServer server;
    private KubernetesClient admin;
    private ApiSnapshotSource source;

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh, empty CRUD API server over HTTP on 127.0.0.1:port, a client to fill it, and the relay
     * the proxy reaches it through (127.0.0.1:relayPort).
     */
    private void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        admin = server.createClient();
    }

    private void connect() {
        relay = new TcpRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** The API server goes away: every connection to it breaks. */
    private void stopServer() {
        if (relay != null) {
            relay.close();
            relay = null;
        }
        admin.close();
        server.destroy();
        server = null;
    }

    private KubernetesClient proxyClient() {
        return new KubernetesClientBuilder()
                .withConfig(KubeClientFactory.config(new ApiConnection("", "http://127.0.0.1:" + relayPort))).build();
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        if (server != null) {
            stopServer();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void theLastStateIsKeptDuringAnOutageAndTheSourceConvergesAfterIt() throws Exception {
        startServer();
        admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        admin.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        connect();
        source = new ApiSnapshotSource(proxyClient(), true, "node-a", 100);
        source.onRelisted(relisted::incrementAndGet);
        source.start(changes::incrementAndGet);
        ClusterSnapshot before = source.current();
        assertEquals(List.of("10.244.1.5"), ips(before, WEB));
        await("connected", source::connected);

        stopServer();
        await("the outage noticed", () -> !source.connected());
        Thread.sleep(500);
        assertSame(before, source.current(), "the last snapshot stays while the API is down");

        startServer(); // empty store: the objects come back changed
        admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        admin.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.7", "10.244.1.8")).create();
        admin.services().resource(service("default", "db", "10.96.0.20", 80)).create();
        connect();

        await("reconnected", source::connected);
        // The relist asks through the relist listener (the daemon's full sync), not once per relisted
        // object through the change listener (ApiConnectionLossTest counts that).
        await("the relist listener (the daemon's full sync)", () -> relisted.get() == 1);
        await("the new state", () -> ips(source.current(), WEB).equals(List.of("10.244.1.7", "10.244.1.8"))
                && source.current().services().size() == 2);
    }

    @Test
    void aFlappingApiServerCausesNoResyncStormAndTheSourceConvergesAfterIt() throws Exception {
        startServer();
        admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        admin.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        connect();
        source = new ApiSnapshotSource(proxyClient(), true, "node-a", 100);
        source.onRelisted(relisted::incrementAndGet);
        source.start(changes::incrementAndGet);
        await("connected", source::connected);
        ClusterSnapshot before = source.current();

        int flaps = 5;
        for (int i = 0; i < flaps; i++) {
            // Watch connections cut: the relay drops every connection while the server keeps its data.
            relay.close();
            relay = null;
            await("the outage noticed (" + i + ")", () -> !source.connected());
            assertEquals(before, source.current(), "the last state stays while the API is away");
            connect();
            await("reconnected (" + i + ")", source::connected);
        }
        admin.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.9")).update();
        await("the change after the flapping", () -> ips(source.current(), WEB).equals(List.of("10.244.1.9")));
        Thread.sleep(1000);
        System.out.println("[ApiOutageTest] " + flaps + " outages: relists " + relisted.get() + ", change callbacks "
                + changes.get());
        assertTrue(relisted.get() <= flaps, "at most one relist (full sync) per outage: " + relisted.get());
        assertTrue(changes.get() <= 3 * flaps + 3, "no resync storm: " + changes.get() + " change callbacks");
    }

    @Test
    void startWaitsForTheInitialListsWhileTheServerIsDown() throws Exception {
        source = new ApiSnapshotSource(proxyClient(), true, "node-a", 100);
        source.startInformers(changes::incrementAndGet);
        assertFalse(source.awaitInitialSync(Duration.ofSeconds(1)), "no API server yet");

        startServer();
        admin.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        admin.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        connect();

        assertTrue(source.awaitInitialSync(Duration.ofSeconds(30)), "synced once the server is up");
        assertEquals(List.of("10.244.1.5"), ips(source.current(), WEB));
    }
}
