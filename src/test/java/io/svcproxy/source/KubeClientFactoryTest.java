package io.svcproxy.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class KubeClientFactoryTest {
    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://192.0.2.10:6443", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: abc}
            contexts:
            - name: ctx
              context: {cluster: c, user: u}
            current-context: ctx
            """;

    @Test
    void aKubeconfigGivesTheServerAndCredentialsWithBoundedTimeouts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
        Config c = KubeClientFactory.config(new ApiConnection(file.toString(), ""));
        assertEquals("https://192.0.2.10:6443/", c.getMasterUrl());
        assertEquals("abc", c.getOauthToken() != null ? c.getOauthToken() : c.getAutoOAuthToken());
        assertEquals(KubeClientFactory.CONNECT_TIMEOUT_MS, c.getConnectionTimeout());
        assertEquals(KubeClientFactory.REQUEST_TIMEOUT_MS, c.getRequestTimeout());
        assertEquals(KubeClientFactory.WATCH_PING_INTERVAL_MS, c.getWebsocketPingInterval());
        assertEquals(-1, c.getWatchReconnectLimit());
    }

    @Test
    void masterOverridesTheKubeconfigServer(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
        Config c = KubeClientFactory.config(new ApiConnection(file.toString(), "https://192.0.2.20:6443"));
        assertTrue(c.getMasterUrl().startsWith("https://192.0.2.20:6443"), c.getMasterUrl());
        assertEquals("abc", c.getOauthToken() != null ? c.getOauthToken() : c.getAutoOAuthToken());
    }

    @Test
    void masterAlone() {
        Config c = KubeClientFactory.config(new ApiConnection("", "http://127.0.0.1:8080"));
        assertTrue(c.getMasterUrl().startsWith("http://127.0.0.1:8080"), c.getMasterUrl());
    }

    @Test
    void aMissingKubeconfigIsNamed(@TempDir Path dir) {
        SourceException e = assertThrows(SourceException.class,
                () -> KubeClientFactory.config(new ApiConnection(dir.resolve("nope").toString(), "")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void describesTheConnectionForTheLog() {
        assertEquals("in-cluster configuration", new ApiConnection(null, " ").describe());
        assertEquals("master http://m", new ApiConnection("", "http://m").describe());
        assertEquals("kubeconfig /k, master http://m", new ApiConnection("/k", "http://m").describe());
    }
}
