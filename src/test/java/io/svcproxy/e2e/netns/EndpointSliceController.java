package io.svcproxy.e2e.netns;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The part of the control plane the netns cluster lacks (no controller manager, the API a CRUD mock):
 * every {@link #PERIOD_MS} ms it lists Services, Pods and its own EndpointSlices, completes Services as an
 * API server would ({@link ServiceAllocator}), and writes {@code discovery.k8s.io/v1} EndpointSlices for
 * every Service with a selector (not ExternalName, not headless): per IP family of the Service, one
 * slice per distinct port mapping (a named targetPort resolves per pod, by name and protocol), endpoints
 * with ready/serving/terminating from the Pod's Ready condition and deletionTimestamp, nodeName and
 * zone. Slices of Services that are gone or no longer select anything are deleted. Each pass is bounded
 * by the client's timeouts; a failed pass is logged to a file and retried on the next.
 */
final class EndpointSliceController implements AutoCloseable {
    static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String CONTROLLER = "svcproxy-e2e-netns";
    static final String SERVICE_NAME = "kubernetes.io/service-name";
    static final String ZONE = "topology.kubernetes.io/zone";
    private static final long PERIOD_MS = 150;

    private final KubernetesClient client;
    private final ServiceAllocator allocator = new ServiceAllocator();
    private final Path log;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "e2e-endpointslice-controller");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong passes = new AtomicLong();

    EndpointSliceController(KubernetesClient client, Path log) {
        this.client = client;
        this.log = log;
    }

    void start() {
        loop.scheduleWithFixedDelay(this::passSafely, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Completed passes (the driver waits for one after a change it made itself). */
    long passes() {
        return passes.get();
    }

    private void passSafely() {
        try {
            pass();
            passes.incrementAndGet();
        } catch (KubernetesClientException | IllegalStateException e) {
            note("pass failed: " + e);
        }
    }

    private void pass() {
        List<Service> services = client.services().inAnyNamespace().list().getItems();
        for (Service s : services) {
            Service completed = allocator.complete(s, services);
            if (completed != null) {
                note("completing " + key(s) + ": clusterIPs " + completed.getSpec().getClusterIPs() + " nodePorts "
                        + completed.getSpec().getPorts().stream().map(ServicePort::getNodePort).toList());
                client.services().inNamespace(s.getMetadata().getNamespace()).resource(completed).update();
                return;   // the next pass sees the Services as they now are
            }
        }
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
        Map<String, String> zones = client.nodes().list().getItems().stream().collect(Collectors.toMap(
                n -> n.getMetadata().getName(), this::zone));
        Map<String, EndpointSlice> desired = new LinkedHashMap<>();
        for (Service s : services) {
            for (EndpointSlice slice : slicesFor(s, pods, zones)) {
                desired.put(key(slice), slice);
            }
        }
        Map<String, EndpointSlice> actual = client.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(MANAGED_BY, CONTROLLER).list().getItems().stream()
                .collect(Collectors.toMap(EndpointSliceController::key, e -> e, (a, b) -> a, LinkedHashMap::new));
        for (Map.Entry<String, EndpointSlice> d : desired.entrySet()) {
            EndpointSlice have = actual.get(d.getKey());
            if (have == null) {
                client.resource(d.getValue()).create();
                note("created slice " + d.getKey() + " " + describe(d.getValue()));
            } else if (!sameContent(have, d.getValue())) {
                client.resource(d.getValue()).update();
                note("updated slice " + d.getKey() + " " + describe(d.getValue()));
            }
        }
        for (Map.Entry<String, EndpointSlice> a : actual.entrySet()) {
            if (!desired.containsKey(a.getKey())) {
                client.resource(a.getValue()).delete();
                note("deleted slice " + a.getKey());
            }
        }
    }

    private String zone(Node n) {
        Map<String, String> labels = n.getMetadata().getLabels();
        return labels == null ? null : labels.get(ZONE);
    }

    /** The slices a Service should have now (none without a selector, for ExternalName or headless). */
    static List<EndpointSlice> slicesFor(Service s, List<Pod> pods, Map<String, String> zones) {
        Map<String, String> selector = s.getSpec().getSelector();
        String ip = s.getSpec().getClusterIP();
        if (selector == null || selector.isEmpty() || "ExternalName".equals(s.getSpec().getType())
                || ip == null || ip.isEmpty() || "None".equals(ip)) {
            return List.of();
        }
        String ns = s.getMetadata().getNamespace();
        List<Pod> selected = pods.stream()
                .filter(p -> ns.equals(p.getMetadata().getNamespace()))
                .filter(p -> p.getMetadata().getLabels() != null
                        && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
        List<EndpointSlice> out = new ArrayList<>();
        for (String family : s.getSpec().getIpFamilies()) {
            // Pods grouped by the ports the Service's ports resolve to on them: one slice per group.
            Map<List<EndpointPort>, List<Endpoint>> groups = new LinkedHashMap<>();
            for (Pod p : selected) {
                Optional<String> address = podIp(p, family);
                List<EndpointPort> ports = resolve(s, p);
                if (address.isEmpty() || ports.isEmpty()) {
                    continue;
                }
                groups.computeIfAbsent(ports, k -> new ArrayList<>()).add(endpoint(p, address.get(), zones));
            }
            for (Map.Entry<List<EndpointPort>, List<Endpoint>> g : groups.entrySet()) {
                String portsId = Integer.toHexString(g.getKey().stream()
                        .map(e -> e.getName() + "/" + e.getProtocol() + "/" + e.getPort()).toList().hashCode());
                Map<String, String> labels = new LinkedHashMap<>();
                if (s.getMetadata().getLabels() != null) {
                    labels.putAll(s.getMetadata().getLabels());
                }
                labels.put(SERVICE_NAME, s.getMetadata().getName());
                labels.put(MANAGED_BY, CONTROLLER);
                out.add(new EndpointSliceBuilder()
                        .withNewMetadata().withNamespace(ns)
                        .withName(s.getMetadata().getName() + "-" + family.toLowerCase() + "-" + portsId)
                        .withLabels(labels)
                        .withAnnotations(Map.of("endpoints.kubernetes.io/last-change-trigger-time",
                                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()))
                        .endMetadata()
                        .withAddressType(family).withPorts(g.getKey()).withEndpoints(g.getValue()).build());
            }
        }
        return out;
    }

    private static Optional<String> podIp(Pod p, String family) {
        if (p.getStatus() == null || p.getStatus().getPodIPs() == null) {
            return Optional.empty();
        }
        return p.getStatus().getPodIPs().stream().map(PodIP::getIp).filter(Objects::nonNull)
                .filter(ip -> ip.contains(":") == family.equals("IPv6")).findFirst();
    }

    /** The Service's ports as they land on this pod; a named targetPort the pod lacks leaves that port out. */
    private static List<EndpointPort> resolve(Service s, Pod p) {
        List<EndpointPort> out = new ArrayList<>();
        for (ServicePort sp : s.getSpec().getPorts()) {
            String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
            IntOrString target = sp.getTargetPort();
            Integer number;
            if (target == null) {
                number = sp.getPort();
            } else if (target.getIntVal() != null) {
                number = target.getIntVal();
            } else {
                number = p.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                        .filter(cp -> target.getStrVal().equals(cp.getName()))
                        .filter(cp -> protocol.equals(cp.getProtocol() == null ? "TCP" : cp.getProtocol()))
                        .map(ContainerPort::getContainerPort).findFirst().orElse(null);
            }
            if (number != null) {
                out.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName())
                        .withProtocol(protocol).withPort(number).build());
            }
        }
        return out;
    }

    private static Endpoint endpoint(Pod p, String address, Map<String, String> zones) {
        boolean terminating = p.getMetadata().getDeletionTimestamp() != null;
        boolean ready = p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        String node = p.getSpec().getNodeName();
        return new EndpointBuilder().withAddresses(address)
                .withNewConditions().withReady(ready && !terminating).withServing(ready).withTerminating(terminating)
                .endConditions()
                .withNodeName(node).withZone(zones.get(node))
                .withNewTargetRef().withKind("Pod").withNamespace(p.getMetadata().getNamespace())
                .withName(p.getMetadata().getName()).endTargetRef()
                .build();
    }

    private static boolean sameContent(EndpointSlice a, EndpointSlice b) {
        return Objects.equals(a.getAddressType(), b.getAddressType()) && Objects.equals(a.getPorts(), b.getPorts())
                && Objects.equals(a.getEndpoints(), b.getEndpoints())
                && Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels());
    }

    private static String describe(EndpointSlice s) {
        return s.getAddressType() + " " + s.getPorts().stream().map(p -> p.getName() + ":" + p.getPort() + "/"
                + p.getProtocol()).toList() + " " + s.getEndpoints().stream().map(e -> e.getAddresses().get(0)
                + (Boolean.TRUE.equals(e.getConditions().getReady()) ? "" : "(not ready)") + "@" + e.getNodeName())
                .toList();
    }

    private static String key(Service s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }

    private static String key(EndpointSlice s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }

    private void note(String line) {
        try {
            Files.writeString(log, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
