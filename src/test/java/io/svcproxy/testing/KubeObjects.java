package io.svcproxy.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small Kubernetes objects for tests against an API server (fabric8's mock server). */
public final class KubeObjects {
    public static final String PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    public static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private KubeObjects() {
    }

    /** A ClusterIP Service with one TCP port named "http". */
    public static Service service(String ns, String name, String clusterIP, int port, Map<String, String> labels) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIP).withClusterIPs(clusterIP)
                .addNewPort().withName("http").withProtocol("TCP").withPort(port).endPort()
                .endSpec().build();
    }

    public static Service service(String ns, String name, String clusterIP, int port) {
        return service(ns, name, clusterIP, port, Map.of());
    }

    /** An IPv4 slice of {@code service} with ready endpoints on port "http"/TCP {@code targetPort}. */
    public static EndpointSlice slice(String ns, String service, String sliceName, int targetPort, Instant trigger,
                                      Map<String, String> extraLabels, String... ips) {
        Map<String, String> labels = new LinkedHashMap<>(extraLabels);
        labels.put("kubernetes.io/service-name", service);
        List<Endpoint> endpoints = Arrays.stream(ips).map(ip -> new EndpointBuilder().withAddresses(ip)
                .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                .withNodeName("node-b").build()).toList();
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(ns).withName(sliceName).withLabels(labels)
                .withAnnotations(trigger == null ? Map.of() : Map.of(TRIGGER_TIME, trigger.toString()))
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(targetPort).endPort()
                .withEndpoints(endpoints)
                .build();
    }

    public static EndpointSlice slice(String ns, String service, String sliceName, int targetPort, Instant trigger,
                                      String... ips) {
        return slice(ns, service, sliceName, targetPort, trigger, Map.of(), ips);
    }

    public static Node node(String name, String internalIP) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(internalIP).endAddress().endStatus()
                .build();
    }

    /** A networking.k8s.io/v1 ServiceCIDR (fabric8 6.13 has no v1 type: a generic resource) with {@code spec.cidrs}. */
    public static GenericKubernetesResource serviceCidr(String name, String... cidrs) {
        return new GenericKubernetesResourceBuilder().withApiVersion("networking.k8s.io/v1").withKind("ServiceCIDR")
                .withNewMetadata().withName(name).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("cidrs", List.of(cidrs))))
                .build();
    }
}
