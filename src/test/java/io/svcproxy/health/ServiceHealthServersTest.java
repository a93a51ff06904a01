package io.svcproxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.httpd.Http;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServiceName;
import io.svcproxy.model.ServicePort;
import io.svcproxy.dataplane.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

class ServiceHealthServersTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final ProxyHealth health = new ProxyHealth(clock, Duration.ofSeconds(60));
    private final ServiceHealthServers servers = new ServiceHealthServers(
            List.of(InetAddress.getLoopbackAddress()), health, s -> TestSnapshots.NODE);
    private final int port = freePort();

    @AfterEach
    void close() {
        servers.close();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ClusterSnapshot cluster(List<Endpoint> httpEndpoints, List<Endpoint> httpsEndpoints) {
        ServicePort http = TestSnapshots.localLb(TestSnapshots.name("web", "shop", "http"), "10.96.0.20", 80, 30080, port);
        ServicePort https = TestSnapshots.localLb(TestSnapshots.name("web", "shop", "https"), "10.96.0.20", 443, 30443,
                port);
        return TestSnapshots.snapshot(Map.of(http, httpEndpoints, https, httpsEndpoints));
    }

    private void sync(ClusterSnapshot snapshot) {
        servers.syncSucceeded(new SyncReport(false, List.of(), 0, Duration.ZERO, snapshot, List.of()));
    }

    private HttpResponse<String> probe(String path) throws Exception {
        return Http.get(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), path);
    }

    @Test
    void answersAsTheLocalEndpointsComeAndGoAndClosesWithTheService() throws Exception {
        // sync 1: one local pod serving both ports (counts once), one remote, one local not ready
        sync(cluster(
                List.of(TestSnapshots.ready("10.244.1.5", 8080, TestSnapshots.NODE),
                        TestSnapshots.ready("10.244.2.5", 8080, "node-b"),
                        TestSnapshots.notReady("10.244.1.6", 8080, TestSnapshots.NODE)),
                List.of(TestSnapshots.ready("10.244.1.5", 8443, TestSnapshots.NODE))));
        assertEquals(Map.of(port, new ServiceName("web", "shop")), servers.ports());
        HttpResponse<String> r = probe("/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\n\t\"service\": {\n\t\t\"namespace\": \"web\",\n\t\t\"name\": \"shop\"\n\t},\n"
                + "\t\"localEndpoints\": 1,\n\t\"serviceProxyHealthy\": true\n}", r.body());
        assertEquals(200, probe("/any/path").statusCode(), "kube-proxy answers every path");
        assertEquals(405, Http.send("POST", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "/")
                .statusCode());

        // proxy unhealthy: 503 even with local endpoints
        health.syncQueued();
        clock.advance(Duration.ofSeconds(61));
        r = probe("/");
        assertEquals(503, r.statusCode());
        assertTrue(r.body().contains("\"localEndpoints\": 1,") && r.body().contains("\"serviceProxyHealthy\": false"),
                r.body());
        health.syncSucceeded(new SyncReport(false, List.of(), 0, Duration.ZERO));

        // sync 2: the local pod moved away: 503, same server
        sync(cluster(List.of(TestSnapshots.ready("10.244.2.5", 8080, "node-b")), List.of()));
        r = probe("/");
        assertEquals(503, r.statusCode());
        assertTrue(r.body().contains("\"localEndpoints\": 0,") && r.body().contains("\"serviceProxyHealthy\": true"),
                r.body());

        // sync 3: two local pods
        sync(cluster(List.of(TestSnapshots.ready("10.244.1.7", 8080, TestSnapshots.NODE),
                TestSnapshots.ready("10.244.1.8", 8080, TestSnapshots.NODE)), List.of()));
        r = probe("/");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"localEndpoints\": 2,"), r.body());

        // sync 4: the service is gone: the port closes
        sync(TestSnapshots.snapshot(Map.of()));
        assertEquals(Map.of(), servers.ports());
        assertThrows(IOException.class, () -> probe("/"));
    }

    @Test
    void aPortInUseIsRetriedOnTheNextSync() throws Exception {
        ClusterSnapshot snapshot = cluster(List.of(TestSnapshots.ready("10.244.1.5", 8080, TestSnapshots.NODE)),
                List.of());
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            sync(snapshot);
            assertEquals(Map.of(), servers.ports());
        }
        sync(snapshot);
        assertEquals(200, probe("/").statusCode());
    }
}
