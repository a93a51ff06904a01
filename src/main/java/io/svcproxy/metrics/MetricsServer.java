package io.svcproxy.metrics;

import io.svcproxy.config.ProxyMode;
import io.svcproxy.httpd.EndpointServer;
import io.svcproxy.httpd.EndpointServer.Response;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * kube-proxy's metrics server (--metrics-bind-address, default 127.0.0.1:10249): /metrics in the
 * Prometheus text format and /proxyMode ("iptables" or "ipvs", as kube-proxy answers). GET and HEAD
 * only; no other path.
 */
public final class MetricsServer implements AutoCloseable {
    private final EndpointServer server;

    private MetricsServer(EndpointServer server) {
        this.server = server;
    }

    public static MetricsServer start(InetSocketAddress address, ProxyMetrics metrics, ProxyMode mode)
            throws IOException {
        return new MetricsServer(EndpointServer.start("metrics", address, Map.of(
                "/metrics", () -> new Response(200, ProxyMetrics.contentType(), metrics.scrape()),
                "/proxyMode", () -> Response.text(200, mode.flagValue()))));
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
