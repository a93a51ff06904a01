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
 * step, and the one-change variants a partial sync applies. The dual-stack variant gives every
 * service an IPv6 cluster IP too (fd00:96::/64) and every endpoint (pod) an IPv6 address beside its
 * IPv4 one (fd00:100::/64), as a RequireDualStack service with one EndpointSlice per family.
 */
public final class BenchCluster {
    public static final String NODE = "n";
    public static final int ENDPOINTS = 10;

    private BenchCluster() {
    }

    public static ClusterSnapshot snapshot(int services) {
        return SyntheticCluster.of(services, ENDPOINTS, false);
    }

    /** The dual-stack cluster: the IPv4 one plus an IPv6 cluster IP per service and endpoint per pod. */
    public static ClusterSnapshot dualStackSnapshot(int services) {
        ClusterSnapshot v4 = snapshot(services);
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>();
        Map<ServicePortName, List<io.svcproxy.model.Endpoint>> eps = new HashMap<>();
        for (int s = 0; s < services; s++) {
            ServicePortName name = name(s);
            ServicePort p = v4.services().get(name);
            svcs.put(name, new ServicePort(name, List.of(p.clusterIPs().get(0), Addresses.parseIp(clusterIP6(s))),
                    p.port(), p.nodePort(), p.externalIPs(), p.loadBalancerIPs(), p.sourceRanges(),
                    p.externalPolicyLocal(), p.internalPolicyLocal(), p.affinityTimeoutSeconds(), p.healthCheckNodePort()));
            List<io.svcproxy.model.Endpoint> both = new ArrayList<>(v4.endpointsOf(name));
            for (int e = 0; e < ENDPOINTS; e++) {
                both.add(io.svcproxy.model.Endpoint.ready(Addresses.parseIp(endpointIP6(s * ENDPOINTS + e)), 8080, NODE));
            }
            eps.put(name, both);
        }
        return new ClusterSnapshot(svcs, eps, v4.node(), v4.warnings());
    }

    public static ServicePortName name(int service) {
        return new ServicePortName("ns", "svc" + service, "http", io.svcproxy.model.Protocol.TCP);
    }

    /** The same cluster as fabric8 Services (one per service, single port "http"). */
    public static List<Service> services(int services) {
        return services(services, false);
    }

    /** fabric8 Services; {@code dualStack}: RequireDualStack with IPv4 and IPv6 cluster IPs. */
    public static List<Service> services(int services, boolean dualStack) {
        List<Service> out = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            out.add(service(s, dualStack));
        }
        return out;
    }

    /** Service number s of the cluster ("ns/svcS", cluster IP by index, TCP 80 "http"). */
    public static Service service(int s, boolean dualStack) {
        String ip = clusterIP(s);
        List<String> ips = dualStack ? List.of(ip, clusterIP6(s)) : List.of(ip);
        List<String> families = dualStack ? List.of("IPv4", "IPv6") : List.of("IPv4");
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("ns").withName("svc" + s).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ips)
                .withIpFamilies(families).withIpFamilyPolicy(dualStack ? "RequireDualStack" : "SingleStack")
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort()
                .endSpec().build();
    }

    /** One IPv4 EndpointSlice per service, ready endpoints on port "http" 8080. */
    public static List<EndpointSlice> slices(int services) {
        return slices(services, false);
    }

    /** One IPv4 EndpointSlice per service, and with {@code dualStack} one IPv6 slice of the same pods too. */
    public static List<EndpointSlice> slices(int services, boolean dualStack) {
        List<EndpointSlice> out = new ArrayList<>(dualStack ? 2 * services : services);
        for (int s = 0; s < services; s++) {
            out.add(slice(s, "IPv4", "-abcde", BenchCluster::endpointIP));
            if (dualStack) {
                out.add(slice(s, "IPv6", "-fghij", BenchCluster::endpointIP6));
            }
        }
        return out;
    }

    private static EndpointSlice slice(int s, String addressType, String suffix,
                                       java.util.function.IntFunction<String> address) {
        List<Endpoint> endpoints = new ArrayList<>(ENDPOINTS);
        for (int e = 0; e < ENDPOINTS; e++) {
            endpoints.add(new EndpointBuilder().withAddresses(address.apply(s * ENDPOINTS + e))
                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                    .withNodeName(NODE).build());
        }
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("ns").withName("svc" + s + suffix)
                .withLabels(Map.of("kubernetes.io/service-name", "svc" + s)).endMetadata()
                .withAddressType(addressType)
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
                .withEndpoints(endpoints).build();
    }

    static String clusterIP(int s) {
        return "10.96." + (s / 250) + "." + (s % 250 + 1);
    }

    static String clusterIP6(int s) {
        return String.format("fd00:96::%x", s + 1);
    }

    static String endpointIP(int n) {
        return "10." + (100 + n / 62500) + "." + (n / 250 % 250) + "." + (n % 250 + 1);
    }

    static String endpointIP6(int n) {
        return String.format("fd00:100::%x:%x", (n + 1) >>> 16, (n + 1) & 0xffff);
    }

    /** An endpoint address no generated endpoint uses (10.250.0.0/16 and up), distinct per {@code i}. */
    public static io.svcproxy.model.Endpoint extraEndpoint(int i) {
        return io.svcproxy.model.Endpoint.ready(Addresses.parseIp("10." + (250 + i / 62500 % 5) + "."
                + (i / 250 % 250) + "." + (i % 250 + 1)), 8080, NODE);
    }

    /** An IPv6 endpoint address no generated endpoint uses (fd00:250::/64), distinct per {@code i}. */
    public static io.svcproxy.model.Endpoint extraEndpoint6(int i) {
        return io.svcproxy.model.Endpoint.ready(Addresses.parseIp(String.format("fd00:250::%x:%x", (i + 1) >>> 16,
                (i + 1) & 0xffff)), 8080, NODE);
    }

    /** {@code base} with one more pod (an IPv4 and an IPv6 endpoint) in {@code service}: dual-stack's one change. */
    public static ClusterSnapshot withExtraPod(ClusterSnapshot base, ServicePortName service, int i) {
        List<io.svcproxy.model.Endpoint> eps = new ArrayList<>(base.endpointsOf(service));
        eps.add(extraEndpoint(i));
        eps.add(extraEndpoint6(i));
        return withEndpoints(base, service, eps);
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
