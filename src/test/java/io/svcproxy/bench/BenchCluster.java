package io.svcproxy.bench;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.testing.SyntheticCluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark cluster: N ClusterIP services ("ns/svcI:http", TCP 80) with E ready endpoints each
 * on node "n" (as {@link SyntheticCluster} makes them), as fabric8 objects for the snapshot -> model
 * step, and the one-change variants a partial sync applies.
 */
public final class BenchCluster {
    public static final String NODE = "n";
    public static final int ENDPOINTS = 10;

    private BenchCluster() {
    }

    public static ClusterSnapshot snapshot(int services) {
        return SyntheticCluster.of(services, ENDPOINTS, false);
    }

    public static ServicePortName name(int service) {
        return new ServicePortName("ns", "svc" + service, "http", io.svcproxy.model.Protocol.TCP);
    }

    /** The same cluster as fabric8 Services (one per service, single port "http"). */
    public static List<Service> services(int services) {
        List<Service> out = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            String ip = clusterIP(s);
            out.add(new ServiceBuilder()
                    .withNewMetadata().withNamespace("ns").withName("svc" + s).endMetadata()
                    .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ip)
                    .addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort()
                    .endSpec().build());
        }
        return out;
    }

    /** One IPv4 EndpointSlice per service, ready endpoints on port "http" 8080. */
    public static List<EndpointSlice> slices(int services) {
        List<EndpointSlice> out = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            List<Endpoint> endpoints = new ArrayList<>(ENDPOINTS);
            for (int e = 0; e < ENDPOINTS; e++) {
                endpoints.add(new EndpointBuilder().withAddresses(endpointIP(s * ENDPOINTS + e))
                        .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                        .withNodeName(NODE).build());
            }
            out.add(new EndpointSliceBuilder()
                    .withNewMetadata().withNamespace("ns").withName("svc" + s + "-abcde")
                    .withLabels(Map.of("kubernetes.io/service-name", "svc" + s)).endMetadata()
                    .withAddressType("IPv4")
                    .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
                    .withEndpoints(endpoints).build());
        }
        return out;
    }

    static String clusterIP(int s) {
        return "10.96." + (s / 250) + "." + (s % 250 + 1);
    }

    static String endpointIP(int n) {
        return "10." + (100 + n / 62500) + "." + (n / 250 % 250) + "." + (n % 250 + 1);
    }

    /** An endpoint address no generated endpoint uses (10.250.0.0/16 and up), distinct per {@code i}. */
    public static io.svcproxy.model.Endpoint extraEndpoint(int i) {
        return io.svcproxy.model.Endpoint.ready(Addresses.parseIp("10." + (250 + i / 62500 % 5) + "."
                + (i / 250 % 250) + "." + (i % 250 + 1)), 8080, NODE);
    }

    /** {@code base} with the endpoints of one service replaced. */
    public static ClusterSnapshot withEndpoints(ClusterSnapshot base, ServicePortName service,
                                                List<io.svcproxy.model.Endpoint> endpoints) {
        Map<ServicePortName, List<io.svcproxy.model.Endpoint>> eps = new HashMap<>(base.endpoints());
        eps.put(service, endpoints);
        return new ClusterSnapshot(base.services(), eps, base.node(), base.warnings());
    }

    /** {@code base} with one more endpoint in {@code service}. */
    public static ClusterSnapshot withExtraEndpoint(ClusterSnapshot base, ServicePortName service, int i) {
        List<io.svcproxy.model.Endpoint> eps = new ArrayList<>(base.endpointsOf(service));
        eps.add(extraEndpoint(i));
        return withEndpoints(base, service, eps);
    }

    /** {@code base} with service index {@code s} (not in base) added, with its endpoints. */
    public static ClusterSnapshot withService(ClusterSnapshot base, int s) {
        ClusterSnapshot one = SyntheticCluster.of(s + 1, ENDPOINTS, false);
        ServicePortName name = name(s);
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>(base.services());
        svcs.put(name, one.services().get(name));
        Map<ServicePortName, List<io.svcproxy.model.Endpoint>> eps = new HashMap<>(base.endpoints());
        eps.put(name, one.endpointsOf(name));
        return new ClusterSnapshot(svcs, eps, base.node(), base.warnings());
    }
}
