package io.svcproxy.health;

import io.svcproxy.httpd.EndpointServer;
import io.svcproxy.httpd.EndpointServer.Response;
import io.svcproxy.json.JsonStrings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * kube-proxy's health server (--healthz-bind-address, default 0.0.0.0:10256): /healthz is 200 when
 * the proxy is healthy and the node eligible, else 503; /livez ignores the node. Bodies as kube-proxy's:
 * {@code {"lastUpdated": "...","currentTime": "...", "nodeEligible": true}} (/livez without
 * nodeEligible); lastUpdated is currentTime when healthy, like kube-proxy. Times are RFC 3339 (UTC).
 * One addition: while the source cannot follow the API (a refused list or watch), /healthz is 503 and
 * its body carries {@code "sourceProblem": "..."}.
 */
public final class HealthServer implements AutoCloseable {
    private final EndpointServer server;

    private HealthServer(EndpointServer server) {
        this.server = server;
    }

    /**
     * @param onHealthz called with each /healthz status code (kubeproxy_proxy_healthz_total)
     * @param onLivez   called with each /livez status code (kubeproxy_proxy_livez_total)
     */
    public static HealthServer start(InetSocketAddress address, ProxyHealth health, IntConsumer onHealthz,
                                     IntConsumer onLivez) throws IOException {
        return new HealthServer(EndpointServer.start("healthz", address, Map.of(
                "/healthz", () -> healthz(health, onHealthz),
                "/livez", () -> livez(health, onLivez))));
    }

    public static HealthServer start(InetSocketAddress address, ProxyHealth health) throws IOException {
        return start(address, health, code -> { }, code -> { });
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }

    static Response healthz(ProxyHealth health, IntConsumer counter) {
        ProxyHealth.Status s = health.status();
        boolean ok = s.healthy() && s.nodeEligible() && s.sourceProblem().isEmpty();
        Instant lastUpdated = ok ? s.currentTime() : s.lastUpdated();
        int code = ok ? 200 : 503;
        counter.accept(code);
        return Response.json(code, "{\"lastUpdated\": \"" + rfc3339(lastUpdated) + "\",\"currentTime\": \""
                + rfc3339(s.currentTime()) + "\", \"nodeEligible\": " + s.nodeEligible()
                + s.sourceProblem().map(p -> ", \"sourceProblem\": " + JsonStrings.quote(p)).orElse("") + "}");
    }

    static Response livez(ProxyHealth health, IntConsumer counter) {
        ProxyHealth.Status s = health.status();
        Instant lastUpdated = s.healthy() ? s.currentTime() : s.lastUpdated();
        int code = s.healthy() ? 200 : 503;
        counter.accept(code);
        return Response.json(code, "{\"lastUpdated\": \"" + rfc3339(lastUpdated) + "\",\"currentTime\": \""
                + rfc3339(s.currentTime()) + "\"}");
    }

    static String rfc3339(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }
}
