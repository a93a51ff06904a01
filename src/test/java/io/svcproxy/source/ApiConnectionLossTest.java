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

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.testing.TcpRelay;
import io.svcproxy.testing.ScriptedApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Connections to the API server that go bad ({@link ScriptedApiServer} behind a {@link TcpRelay}):
 * a half-open connection (the server stops answering on it without closing it) and an outage with
 * a relist after it, with the daemon's wiring ({@link SourceDaemon}).
 */
class ApiConnectionLossTest {
    /** The WebSocket ping interval these tests use; the product's is {@link KubeClientFactory#WATCH_PING_INTERVAL_MS}. */
    private static final long PING_MS = 1000;

    private final ScriptedApiServer api = new ScriptedApiServer();
    private final int relayPort = ApiOutageTest.freePort();
    private TcpRelay relay;
    private SourceDaemon daemon;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (relay != null) {
            relay.close();
        }
        api.close();
    }

    private void connect() {
        relay = new TcpRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()));
    }

    private List<String> lastIps() {
        ClusterSnapshot last = daemon.lastSync();
        return last == null ? List.of() : ips(last, ApiServerBehavioursTest.WEB);
    }

    private void startedAndWatching(int others) throws InterruptedException {
        api.put(SERVICES, service("default", "web", "10.96.0.10", 80));
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.5"));
        for (int i = 0; i < others; i++) {
            api.put(SERVICES, service("default", "other-" + i, "10.96.1." + (10 + i), 80));
            api.put(SLICES, slice("default", "other-" + i, "other-" + i + "-1", 8080, null, "10.244.2." + (10 + i)));
        }
        api.put(NODES, node(SourceDaemon.NODE, "192.168.1.10"));
        connect();
        daemon = new SourceDaemon("http://127.0.0.1:" + relayPort, 200, c -> c.setWebsocketPingInterval(PING_MS));
        await("the initial sync", () -> lastIps().equals(List.of("10.244.1.5")));
        await("the watches", () -> api.openWatches(SERVICES) == 1 && api.openWatches(SLICES) == 1
                && api.openWatches(NODES) == 1);
    }

    @Test
    void aHalfOpenWatchConnectionIsDetectedAndTheWatchResumes() throws Exception {
        startedAndWatching(0);
        int watchesBefore = api.requests(SLICES, true).size();
        int listsBefore = api.requests(SLICES, false).size();
        String versionBefore = api.currentVersion();

        relay.blackholeOpenConnections();
        // The server sends the change on the old connection; nothing arrives, nothing closes.
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.7"));
        long t0 = System.nanoTime();
        await("the change, over a new connection", Duration.ofSeconds(90), () -> lastIps().equals(List.of("10.244.1.7")));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        List<ScriptedApiServer.Request> watches = api.requests(SLICES, true);
        System.out.println("[half-open] change seen after " + ms + " ms (ping every " + PING_MS + " ms); slice watches "
                + watchesBefore + " -> " + watches.size() + ", lists " + listsBefore + " -> "
                + api.requests(SLICES, false).size() + "; resumed from " + watches.get(watches.size() - 1).param("resourceVersion")
                + " (version before: " + versionBefore + ")");
        assertTrue(watches.size() > watchesBefore, "a new watch");
        assertEquals(List.of(), daemon.failures);
        for (ClusterSnapshot s : daemon.syncs) {
            assertEquals(1, s.services().size(), "never an empty sync");
        }
    }

    @Test
    void afterAnOutageTheRelistAsksForOneFullSyncNotOnePerObject() throws Exception {
        startedAndWatching(20);
        relay.close(); // every connection drops; the server keeps its data
        relay = null;
        await("the outage noticed", () -> !daemon.source.connected());
        int requestsBefore = daemon.syncRequests.get();
        int syncsBefore = daemon.syncs.size();
        api.put(SLICES, slice("default", "web", "web-1", 8080, null, "10.244.1.8"), false);

        connect();
        await("reconnected and relisted", Duration.ofSeconds(60), () -> lastIps().equals(List.of("10.244.1.8")));
        await("connected", daemon.source::connected);
        // A later change on the new informers marks the end of what the relist caused.
        await("the new watch", () -> api.openWatches(SLICES) >= 1);
        api.put(SERVICES, service("default", "late", "10.96.2.10", 80));
        await("the later change", () -> daemon.lastSync().services().size() == 22);

        System.out.println("[outage] sync requests by the source after it: " + (daemon.syncRequests.get() - requestsBefore)
                + ", syncs: " + (daemon.syncs.size() - syncsBefore));
        assertEquals(1, daemon.syncRequests.get() - requestsBefore,
                "the relisted 41 objects ask for no sync of their own (the relist asks for one full sync); one for the later change");
        for (ClusterSnapshot s : daemon.syncs) {
            assertTrue(s.services().size() >= 21, "never an empty sync");
        }
    }
}
