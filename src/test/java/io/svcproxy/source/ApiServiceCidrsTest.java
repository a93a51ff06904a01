package io.svcproxy.source;

import static io.svcproxy.source.ApiSnapshotSourceTest.WEB;
import static io.svcproxy.source.ApiSnapshotSourceTest.await;
import static io.svcproxy.source.ApiSnapshotSourceTest.ips;
import static io.svcproxy.testing.KubeObjects.service;
import static io.svcproxy.testing.KubeObjects.serviceCidr;
import static io.svcproxy.testing.KubeObjects.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.svcproxy.model.Cidr;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ServiceCIDRs through the API source, against fabric8's CRUD mock server (on loopback): they arrive
 * in the snapshot and follow updates and deletions; a server that answers 404 (no such resource) or
 * 403 (RBAC) for them leaves the source working without them, logged once, and they arrive once readable.
 */
class ApiServiceCidrsTest {
    private static final String PATH = "/apis/networking.k8s.io/v1/servicecidrs";

    private final Refusing dispatcher = new Refusing();
    private KubernetesMockServer server;
    private KubernetesClient client;
    private ApiSnapshotSource source;
    private final AtomicInteger changes = new AtomicInteger();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** CRUD, except that the GETs of ServiceCIDRs get {@link #status} while it is not 0. */
    private static final class Refusing extends Dispatcher {
        private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        volatile int status;
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            int s = status;
            if (s != 0 && "GET".equals(request.getMethod()) && request.getPath().startsWith(PATH)) {
                refused.incrementAndGet();
                return new MockResponse().setResponseCode(s).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                        + "\"status\":\"Failure\",\"code\":" + s + "}");
            }
            return crud.dispatch(request);
        }
    }

    private void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        log.start();
        ((Logger) LoggerFactory.getLogger(ApiSnapshotSource.class)).addAppender(log);
    }

    @AfterEach
    void close() {
        ((Logger) LoggerFactory.getLogger(ApiSnapshotSource.class)).detachAppender(log);
        if (source != null) {
            source.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
    }

    private ApiSnapshotSource started() {
        source = new ApiSnapshotSource(client, false, "node-a", 100);
        source.start(changes::incrementAndGet);
        return source;
    }

    private List<String> cidrs() {
        return source.current().serviceCidrs().stream().map(Cidr::toString).toList();
    }

    private void put(GenericKubernetesResource o, boolean create) {
        var resource = client.genericKubernetesResources(ServiceCidrResource.CONTEXT).resource(o);
        if (create) {
            resource.create();
        } else {
            resource.update();
        }
    }

    @Test
    void serviceCidrsArriveAndFollowUpdatesAndDeletions() throws Exception {
        startServer();
        put(serviceCidr("kubernetes", "fd00:10:96::/112", "10.96.0.0/16"), true);
        started();
        assertEquals(List.of("10.96.0.0/16", "fd00:10:96::/112"), cidrs(), "the initial list waits for them");

        int before = changes.get();
        put(serviceCidr("extra", "10.97.0.0/16"), true);
        await("the listener", () -> changes.get() > before);
        await("the new object", () -> cidrs().equals(List.of("10.96.0.0/16", "10.97.0.0/16", "fd00:10:96::/112")));

        put(serviceCidr("extra", "10.98.0.0/16"), false);
        await("the update", () -> cidrs().equals(List.of("10.96.0.0/16", "10.98.0.0/16", "fd00:10:96::/112")));

        client.genericKubernetesResources(ServiceCidrResource.CONTEXT).withName("extra").delete();
        await("the deletion", () -> cidrs().equals(List.of("10.96.0.0/16", "fd00:10:96::/112")));
        assertEquals(0, dispatcher.refused.get());
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 403})
    void aServerRefusingServiceCidrsLeavesTheSourceWorkingWithoutThem(int status) throws Exception {
        startServer();
        client.services().resource(service("default", "web", "10.96.0.10", 80)).create();
        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.5")).create();
        put(serviceCidr("kubernetes", "10.96.0.0/16"), true);
        dispatcher.status = status;

        started(); // returns: the refused list does not hold up the initial sync
        assertEquals(List.of(WEB), List.copyOf(source.current().services().keySet()));
        assertEquals(List.of(), cidrs());
        assertTrue(source.connected(), "an answer, not an outage");

        client.resource(slice("default", "web", "web-1", 8080, null, "10.244.1.7")).update();
        await("a later change", () -> ips(source.current(), WEB).equals(List.of("10.244.1.7")));
        await("a retry", () -> dispatcher.refused.get() >= 2);
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("ServiceCIDRs")).filter(m -> !m.startsWith("watching")).toList();
        assertEquals(1, lines.size(), "logged once: " + lines);
        assertTrue(lines.get(0).contains("(" + status + ";") && lines.get(0).contains("continuing without service CIDRs"),
                lines.get(0));

        // The cluster is upgraded, or the ClusterRole fixed: the retrying informer brings them in.
        dispatcher.status = 0;
        await("the service CIDRs once readable", () -> cidrs().equals(List.of("10.96.0.0/16")));
    }
}
