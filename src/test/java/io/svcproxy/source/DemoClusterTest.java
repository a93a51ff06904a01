package io.svcproxy.source;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.model.ServicePort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.svcproxy.model.Protocol.SCTP;
import static io.svcproxy.model.Protocol.TCP;
import static io.svcproxy.model.Protocol.UDP;
import static io.svcproxy.source.Fixtures.ip;
import static io.svcproxy.source.Fixtures.service;
import static io.svcproxy.source.Fixtures.spn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoClusterTest {
    private static ClusterSnapshot demo;

    @BeforeAll
    static void load() {
        demo = Fixtures.load("demo/cluster.yaml", "node-a");
    }

    @Test
    void convertsWithoutWarnings() {
        assertEquals(List.of(), demo.warnings());
    }

    @Test
    void hasTheDocumentedCounts() {
        assertEquals(16, demo.services().size(), demo.services().keySet()::toString);
        assertEquals(35, demo.endpoints().values().stream().mapToInt(List::size).sum());
    }

    /** The default ServiceCIDR holds every IPv4 ClusterIP of the demo (only nftables mode uses it). */
    @Test
    void hasTheDefaultServiceCidr() {
        assertEquals(List.of(Cidr.parse("10.96.0.0/16")), demo.serviceCidrs());
        demo.services().values().stream().flatMap(p -> p.clusterIPs().stream())
                .filter(a -> IpFamily.of(a) == IpFamily.V4)
                .forEach(a -> assertTrue(demo.serviceCidrs().get(0).contains(a), a::toString));
    }

    @Test
    void kubernetesServiceHasThreeApiServers() {
        ServicePort p = service(demo, "default", "kubernetes", "https", TCP);
        assertEquals(List.of(ip("10.96.0.1")), p.clusterIPs());
        assertEquals(443, p.port());
        assertEquals(List.of("192.168.56.10:6443", "192.168.56.11:6443", "192.168.56.12:6443"),
                demo.endpointsOf(p.name()).stream().map(Endpoint::toString).toList());
    }

    @Test
    void kubeDnsHasThreePortsOfTwoProtocols() {
        service(demo, "kube-system", "kube-dns", "dns", UDP);
        service(demo, "kube-system", "kube-dns", "dns-tcp", TCP);
        assertEquals(9153, service(demo, "kube-system", "kube-dns", "metrics", TCP).port());
        assertEquals(2, demo.endpointsOf(spn("kube-system", "kube-dns", "dns", UDP)).size());
    }

    @Test
    void loadBalancerKeepsSourceRangesAndVipIngressOnly() {
        ServicePort shop = service(demo, "web", "shop", "https", TCP);
        assertEquals(30443, shop.nodePort());
        assertEquals(List.of(ip("203.0.113.10")), shop.loadBalancerIPs());
        assertEquals(List.of(Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.128/25")), shop.sourceRanges());
        ServicePort gw = service(demo, "ingress", "ingress-gateway", "http", TCP);
        assertEquals(List.of(ip("203.0.113.20")), gw.loadBalancerIPs(), "ipMode Proxy is skipped");
        assertTrue(gw.externalPolicyLocal());
        assertEquals(32000, gw.healthCheckNodePort());
        assertEquals(3, demo.endpointsOf(gw.name()).size());
    }

    @Test
    void externalIpsAffinityAndLocalPolicies() {
        ServicePort legacy = service(demo, "web", "legacy-api", "", TCP);
        assertEquals(List.of(ip("192.168.56.100")), legacy.externalIPs());
        assertEquals(3600, legacy.affinityTimeoutSeconds());
        assertEquals(0, legacy.nodePort());
        assertTrue(service(demo, "monitoring", "node-exporter", "metrics", TCP).internalPolicyLocal());
        assertFalse(service(demo, "web", "frontend", "http", TCP).externalPolicyLocal());
        assertEquals(30080, service(demo, "web", "frontend", "http", TCP).nodePort());
    }

    @Test
    void dualStackMergesBothSlices() {
        ServicePort dual = service(demo, "web", "dual", "http", TCP);
        assertEquals(ip("fd00:10:96::40"), dual.clusterIP(IpFamily.V6));
        List<Endpoint> eps = demo.endpointsOf(dual.name());
        assertEquals(4, eps.size());
        assertEquals(2, eps.stream().filter(e -> e.family() == IpFamily.V6).count());
    }

    @Test
    void sctpTerminatingHintsAndSkippedServices() {
        assertEquals(1, demo.endpointsOf(service(demo, "telecom", "diameter", "diameter", SCTP).name()).size());
        List<Endpoint> draining = demo.endpointsOf(spn("web", "draining", "http", TCP));
        assertEquals(2, draining.size());
        assertTrue(draining.stream().allMatch(e -> e.terminating() && !e.ready()));
        assertEquals(1, draining.stream().filter(Endpoint::serving).count());
        Endpoint catalogA = demo.endpointsOf(spn("web", "catalog", "http", TCP)).get(0);
        assertEquals(Set.of("zone-a"), catalogA.zoneHints());
        assertEquals(List.of(), demo.endpointsOf(service(demo, "web", "no-endpoints", "http", TCP).name()));
        assertFalse(demo.services().keySet().stream().anyMatch(n -> n.name().equals("db") || n.name().equals("external-db")));
        assertFalse(demo.endpoints().containsKey(spn("web", "db", "postgres", TCP)));
    }

    @Test
    void nodeA() {
        NodeInfo node = demo.node().orElseThrow();
        assertEquals("node-a", node.name());
        assertEquals("zone-a", node.zone());
        assertEquals(List.of(ip("192.168.56.21"), ip("fd00:56::21")), node.addresses());
        assertEquals(List.of(Cidr.parse("10.244.1.0/24"), Cidr.parse("fd00:10:244:1::/64")), node.podCidrs());
    }

    @Test
    void sameFileGivesTheSameSnapshot() {
        assertEquals(demo, Fixtures.load("demo/cluster.yaml", "node-a"));
    }

    @Test
    void onlyNodeIsUsedWithoutHostnameAndNoneForAnotherHost() {
        assertEquals("node-a", Fixtures.load("demo/cluster.yaml", "").node().orElseThrow().name());
        assertTrue(Fixtures.load("demo/cluster.yaml", "node-b").node().isEmpty());
    }
}
