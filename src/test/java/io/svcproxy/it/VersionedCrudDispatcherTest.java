package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

import java.util.HashMap;

class VersionedCrudDispatcherTest {
    @Test
    void versionIsAVersionAndTheStoreStillAnswers() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new VersionedCrudDispatcher(), false);
        server.init();
        try (KubernetesClient client = server.createClient()) {
            for (int i = 0; i < 3; i++) {
                client.services().inNamespace("ns").resource(new ServiceBuilder().withNewMetadata().withName("s" + i)
                        .withNamespace("ns").endMetadata().build()).create();
            }
            assertEquals(VersionedCrudDispatcher.VERSION, client.raw(client.getMasterUrl() + "version"));
            assertEquals("36", client.getKubernetesVersion().getMinor());
            assertEquals(3, client.services().inNamespace("ns").list().getItems().size());
        } finally {
            server.destroy();
        }
    }
}
