package io.svcproxy.source;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the API client from an {@link ApiConnection}: kubeconfig file, else --master URL, else the
 * in-cluster configuration. Timeouts are bounded so a dead API server is noticed in seconds, and
 * watches reconnect forever (the informers keep their caches meanwhile).
 */
final class KubeClientFactory {
    static final int CONNECT_TIMEOUT_MS = 10_000;
    static final int REQUEST_TIMEOUT_MS = 30_000;
    static final int WATCH_RECONNECT_INTERVAL_MS = 1_000;
    /**
     * Watches are WebSockets: a ping every 15 s, and one unanswered by the next ping fails the watch,
     * which then resumes on a new connection. So a half-open connection (a server or load balancer
     * gone without closing it) is noticed in 15 to 30 s; client-go's HTTP/2 health check takes 30 to 45 s.
     */
    static final long WATCH_PING_INTERVAL_MS = 15_000;

    private KubeClientFactory() {
    }

    static KubernetesClient create(ApiConnection connection, ApiRefusals refusals) {
        return create(config(connection), refusals);
    }

    /**
     * A client whose every answer {@code refusals} sees (401 and 403 would otherwise go unnoticed),
     * and that waits as long as a throttled answer's Retry-After asks before retrying ({@link RetryAfter}).
     */
    static KubernetesClient create(Config config, ApiRefusals refusals) {
        return new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(ApiRefusals.NAME, refusals)
                        .addOrReplaceInterceptor(RetryAfter.NAME, new RetryAfter()))
                .build();
    }

    static Config config(ApiConnection connection) {
        Config base;
        if (connection.kubeconfigPath().isPresent()) {
            Path path = Path.of(connection.kubeconfig());
            String text;
            try {
                text = Files.readString(path);
            } catch (IOException e) {
                throw new SourceException("kubeconfig " + Texts.oneLine(connection.kubeconfig()) + ": cannot read: "
                        + Texts.oneLine(String.valueOf(e.getMessage())), e);
            }
            try {
                base = Config.fromKubeconfig(null, text, path.toAbsolutePath().toString());
            } catch (RuntimeException e) {
                throw new SourceException("kubeconfig " + Texts.oneLine(connection.kubeconfig()) + ": invalid: "
                        + Texts.oneLine(String.valueOf(e.getMessage())), e);
            }
        } else if (connection.masterUrl().isPresent()) {
            base = Config.empty();
        } else {
            // In-cluster: service account token and KUBERNETES_SERVICE_HOST/PORT (see ApiConnection).
            base = Config.autoConfigure(null);
        }
        // Set in place (not copied through a ConfigBuilder), so what the kubeconfig carries beyond the
        // builder's fields (the file, for token refresh and exec plugins) is kept.
        base.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        base.setRequestTimeout(REQUEST_TIMEOUT_MS);
        base.setWatchReconnectInterval(WATCH_RECONNECT_INTERVAL_MS);
        base.setWatchReconnectLimit(-1);
        base.setWebsocketPingInterval(WATCH_PING_INTERVAL_MS);
        base.setRequestRetryBackoffLimit(0);
        base.setUserAgent("svcproxy");
        connection.masterUrl().ifPresent(base::setMasterUrl);
        return base;
    }
}
