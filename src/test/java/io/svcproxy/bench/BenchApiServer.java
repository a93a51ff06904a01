package io.svcproxy.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcproxy.it.RelayedApi;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.Teardown;
import io.svcproxy.testing.topology.BackgroundProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API server of one end-to-end run: fabric8's CRUD mock server over HTTP ({@link RelayedApi}:
 * on the host's loopback, reached from the node namespace on its own 127.0.0.1:6443 through socat),
 * holding the node and {@link BenchCluster}'s Services and EndpointSlices. Every write here returns
 * once the server answered: that is the instant the end-to-end latencies start from.
 */
final class BenchApiServer implements AutoCloseable {
    static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private final RelayedApi api = new RelayedApi();
    private BackgroundProcess socat;
    /** Each slice's resourceVersion as the server last returned it. */
    private final Map<String, String> versions = new java.util.concurrent.ConcurrentHashMap<>();

    /** Starts the server and the bridge into the node namespace, with the node object and the whole cluster. */
    void start(NetNs ns, int services, Path logDir) {
        api.start();
        KubernetesClient c = api.admin();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ns").endMetadata().build()).create();
        c.nodes().resource(new NodeBuilder().withNewMetadata().withName(BenchCluster.NODE)
                .withLabels(Map.of("kubernetes.io/hostname", BenchCluster.NODE)).endMetadata()
                .withNewSpec().withPodCIDR("10.244.1.0/24").withPodCIDRs("10.244.1.0/24").endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.250.255.2").endAddress().endStatus()
                .build()).create();
        for (Service s : BenchCluster.services(services)) {
            c.services().resource(s).create();
        }
        for (EndpointSlice s : BenchCluster.slices(services)) {
            remember(c.discovery().v1().endpointSlices().resource(s).create());
        }
        socat = BackgroundProcess.start("api-socat", api.socatArgv(ns.name()), logDir);
        awaitListening(ns);
    }

    /** The bridge listens before the proxy starts, so the proxy's first connection is not refused. */
    private void awaitListening(NetNs ns) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (ns.run("ss", "-Hltn", "sport", "=", ":6443").stdout().contains("6443")) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        throw new IllegalStateException("socat did not listen on 127.0.0.1:6443 in " + ns.name() + " within 10 s");
    }

    /**
     * Writes service s's EndpointSlice with its endpoints (IPv4 addresses, port 8080, ready on the
     * node), the trigger-time annotation set to now as the EndpointSlice controller does; returns when
     * the server answered.
     */
    void writeSlice(int s, List<String> addresses, boolean create) {
        List<Endpoint> eps = new ArrayList<>();
        for (String a : addresses) {
            eps.add(new EndpointBuilder().withAddresses(a)
                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                    .withNodeName(BenchCluster.NODE).build());
        }
        EndpointSlice slice = new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("ns").withName("svc" + s + "-abcde")
                .withLabels(Map.of("kubernetes.io/service-name", "svc" + s))
                .withAnnotations(Map.of(TRIGGER_TIME, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString())).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
                .withEndpoints(eps).build();
        var slices = api.admin().discovery().v1().endpointSlices();
        if (create) {
            remember(slices.resource(slice).create());
            return;
        }
        // With the version the last write returned, an update is one PUT; without, fabric8 GETs first.
        String version = versions.get(slice.getMetadata().getName());
        slice.getMetadata().setResourceVersion(version);
        try {
            remember(slices.resource(slice).update());
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409 || version == null) {
                throw e;
            }
            slice.getMetadata().setResourceVersion(null);
            remember(slices.resource(slice).update());
        }
    }

    private void remember(EndpointSlice written) {
        versions.put(written.getMetadata().getName(), written.getMetadata().getResourceVersion());
    }

    /** Creates service s (as {@link BenchCluster} makes them: cluster IP by index, TCP 80 "http"). */
    void createService(int s) {
        api.admin().services().resource(BenchCluster.service(s, false)).create();
    }

    void deleteService(int s) {
        api.admin().services().inNamespace("ns").withName("svc" + s).delete();
    }

    @Override
    public void close() {
        Teardown t = new Teardown("bench API server");
        if (socat != null) {
            t.step(() -> socat.stop(Duration.ofSeconds(5)));
        }
        t.step(api::close);
        t.done();
    }
}
