package io.svcproxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.httpd.Http;
import io.svcproxy.dataplane.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

class HealthServerTest {
    private static final Pattern HEALTHZ = Pattern.compile(
            "\\{\"lastUpdated\": \"([^\"]+)\",\"currentTime\": \"([^\"]+)\", \"nodeEligible\": (true|false)}");
    private static final Pattern LIVEZ = Pattern.compile(
            "\\{\"lastUpdated\": \"([^\"]+)\",\"currentTime\": \"([^\"]+)\"}");
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final ProxyHealth health = new ProxyHealth(clock, Duration.ofSeconds(60));
    private final List<Integer> healthzCodes = new ArrayList<>();
    private final List<Integer> livezCodes = new ArrayList<>();
    private HealthServer server;

    @BeforeEach
    void start() throws Exception {
        server = HealthServer.start(Http.loopback(), health, healthzCodes::add, livezCodes::add);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void healthyAnswers200WithKubeProxysBody() throws Exception {
        health.syncSucceeded(new SyncReport(true, List.of(), 0, Duration.ZERO));
        HttpResponse<String> r = Http.get(server.address(), "/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        Matcher m = HEALTHZ.matcher(r.body());
        assertTrue(m.matches(), r.body());
        assertEquals("2025-03-01T10:00:00Z", m.group(1), "healthy: lastUpdated is now, as kube-proxy");
        assertEquals("2025-03-01T10:00:00Z", m.group(2));
        assertEquals("true", m.group(3));
        assertEquals(List.of(200), healthzCodes);
    }

    @Test
    void staleQueueGives503OnBothWithTheLastUpdateTime() throws Exception {
        health.syncSucceeded(new SyncReport(true, List.of(), 0, Duration.ZERO));
        clock.advance(Duration.ofSeconds(10));
        health.syncQueued();
        clock.advance(Duration.ofSeconds(61));
        HttpResponse<String> r = Http.get(server.address(), "/healthz");
        assertEquals(503, r.statusCode());
        Matcher m = HEALTHZ.matcher(r.body());
        assertTrue(m.matches(), r.body());
        assertEquals("2025-03-01T10:00:00Z", m.group(1));
        assertEquals("2025-03-01T10:01:11Z", m.group(2));
        HttpResponse<String> l = Http.get(server.address(), "/livez");
        assertEquals(503, l.statusCode());
        assertTrue(LIVEZ.matcher(l.body()).matches(), l.body());
        assertEquals(List.of(503), livezCodes);
    }

    @Test
    void deletingNodeFailsHealthzButNotLivez() throws Exception {
        health.setNodeEligible(false);
        HttpResponse<String> r = Http.get(server.address(), "/healthz");
        assertEquals(503, r.statusCode());
        Matcher m = HEALTHZ.matcher(r.body());
        assertTrue(m.matches(), r.body());
        assertEquals("false", m.group(3));
        HttpResponse<String> l = Http.get(server.address(), "/livez");
        assertEquals(200, l.statusCode());
        assertTrue(LIVEZ.matcher(l.body()).matches(), l.body());
    }

    @Test
    void aSourceProblemFailsHealthzWithTheReasonButNotLivez() throws Exception {
        health.syncSucceeded(new SyncReport(true, List.of(), 0, Duration.ZERO));
        health.setSourceProblem(() -> java.util.Optional.of("the API server refuses to watch services (403 Forbidden)"));
        HttpResponse<String> r = Http.get(server.address(), "/healthz");
        assertEquals(503, r.statusCode());
        assertTrue(r.body().endsWith(", \"nodeEligible\": true, \"sourceProblem\": "
                + "\"the API server refuses to watch services (403 Forbidden)\"}"), r.body());
        assertEquals(200, Http.get(server.address(), "/livez").statusCode(), "a restart cannot fix RBAC");
        health.setSourceProblem(java.util.Optional::empty);
        assertEquals(200, Http.get(server.address(), "/healthz").statusCode());
    }

    @Test
    void onlyGetAndHeadOnlyTheTwoPaths() throws Exception {
        assertEquals(405, Http.send("POST", server.address(), "/healthz").statusCode());
        assertEquals(405, Http.send("DELETE", server.address(), "/livez").statusCode());
        HttpResponse<String> head = Http.send("HEAD", server.address(), "/healthz");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(404, Http.get(server.address(), "/").statusCode());
        assertEquals(404, Http.get(server.address(), "/healthz/").statusCode());
        assertEquals(404, Http.get(server.address(), "/metrics").statusCode());
        assertEquals(200, Http.get(server.address(), "/healthz?verbose=1").statusCode());
        assertTrue(healthzCodes.size() >= 2);
    }

    @Test
    void oversizedRequestsAreRefused() throws Exception {
        String longPath = "/healthz?" + "a".repeat(3000);
        assertEquals(414, Http.get(server.address(), longPath).statusCode());
        String bigHeader = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n";
        assertTrue(Http.raw(server.address(), bigHeader).matches("HTTP/1.1 (431|413|400).*|"),
                "large headers refused");
        String body = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "c".repeat(1000);
        assertEquals("HTTP/1.1 413 Request Entity Too Large", Http.raw(server.address(), body));
        String manyHeaders = "GET /healthz HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(500) + "\r\n";
        String status = Http.raw(server.address(), manyHeaders);
        assertTrue(!status.startsWith("HTTP/1.1 200"), "too many headers refused: " + status);
        // still serving
        assertEquals(200, Http.get(server.address(), "/livez").statusCode());
    }
}
