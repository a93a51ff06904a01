package io.svcproxy.e2e.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** The netns cluster's stand-ins for the control plane, on objects alone (no API server). */
class EndpointSliceControllerTest {
    private static final Map<String, String> ZONES = Map.of("node-1", "zone-1", "node-2", "zone-2");

    private static Service service(String type, String... families) {
        return new ServiceBuilder().withNewMetadata().withNamespace("ns").withName("web").endMetadata()
                .withNewSpec().withType(type).withSelector(Map.of("app", "web")).withClusterIP("10.96.0.10")
                .withIpFamilies(families)
                .addNewPort().withName("a").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString("svc1")).endPort()
                .addNewPort().withName("b").withProtocol("TCP").withPort(81).withTargetPort(new IntOrString(9000)).endPort()
                .endSpec().build();
    }

    private static Pod pod(String name, String node, String ip4, String ip6, int svc1Port, boolean ready) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withLabels(Map.of("app", "web"))
                .endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c")
                .addNewPort().withName("svc1").withProtocol("TCP").withContainerPort(svc1Port).endPort()
                .endContainer().endSpec()
                .withNewStatus().addNewPodIP().withIp(ip4).endPodIP().addNewPodIP().withIp(ip6).endPodIP()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus()
                .build();
    }

    @Test
    void oneSlicePerFamilyAndPortMappingWithNamedPortsResolvedPerPod() {
        List<Pod> pods = List.of(pod("p1", "node-1", "10.244.1.10", "fd00:10:244:1::a", 8100, true),
                pod("p2", "node-2", "10.244.2.10", "fd00:10:244:2::a", 8101, false),
                pod("p3", "node-2", "10.244.2.11", "fd00:10:244:2::b", 8100, true));
        List<EndpointSlice> slices = EndpointSliceController.slicesFor(service("ClusterIP", "IPv4", "IPv6"), pods, ZONES);
        assertEquals(4, slices.size(), "2 families x 2 port mappings: " + slices);
        EndpointSlice v4With8100 = slices.stream().filter(s -> s.getAddressType().equals("IPv4"))
                .filter(s -> s.getPorts().get(0).getPort() == 8100).findFirst().orElseThrow();
        assertEquals(List.of(8100, 9000), v4With8100.getPorts().stream().map(p -> p.getPort()).toList());
        assertEquals(List.of("10.244.1.10", "10.244.2.11"),
                v4With8100.getEndpoints().stream().map(e -> e.getAddresses().get(0)).toList());
        assertEquals("zone-2", v4With8100.getEndpoints().get(1).getZone());
        assertEquals("web", v4With8100.getMetadata().getLabels().get(EndpointSliceController.SERVICE_NAME));
        EndpointSlice v6With8101 = slices.stream().filter(s -> s.getAddressType().equals("IPv6"))
                .filter(s -> s.getPorts().get(0).getPort() == 8101).findFirst().orElseThrow();
        var notReady = v6With8101.getEndpoints().get(0);
        assertEquals("fd00:10:244:2::a", notReady.getAddresses().get(0));
        assertEquals(false, notReady.getConditions().getReady());
        assertEquals("p2", notReady.getTargetRef().getName());
    }

    @Test
    void noSlicesForExternalNameOrHeadless() {
        List<Pod> pods = List.of(pod("p1", "node-1", "10.244.1.10", "fd00:10:244:1::a", 8100, true));
        assertTrue(EndpointSliceController.slicesFor(service("ExternalName", "IPv4"), pods, ZONES).isEmpty());
        Service headless = service("ClusterIP", "IPv4");
        headless.getSpec().setClusterIP("None");
        assertTrue(EndpointSliceController.slicesFor(headless, pods, ZONES).isEmpty());
    }

    @Test
    void allocatorFillsClusterIpsPerFamilyPolicyAndNodePortsLikeAnApiServer() {
        ServiceAllocator allocator = new ServiceAllocator();
        Service dual = new ServiceBuilder().withNewMetadata().withNamespace("ns").withName("dual").endMetadata()
                .withNewSpec().withType("LoadBalancer").withExternalTrafficPolicy("Local")
                .withIpFamilyPolicy("RequireDualStack")
                .addNewPort().withProtocol("TCP").withPort(80).endPort().endSpec().build();
        Service done = allocator.complete(dual, List.of(dual));
        assertEquals(List.of("IPv4", "IPv6"), done.getSpec().getIpFamilies());
        assertEquals(List.of("10.96.0.10", "fd00:10:96::a"), done.getSpec().getClusterIPs());
        assertEquals(30000, done.getSpec().getPorts().get(0).getNodePort());
        assertEquals(30001, done.getSpec().getHealthCheckNodePort());
        assertNull(allocator.complete(done, List.of(done)), "nothing left to fill in");

        Service clusterIp = new ServiceBuilder(done).editSpec().withType("ClusterIP").endSpec().build();
        Service dropped = allocator.complete(clusterIp, List.of(clusterIp));
        assertNull(dropped.getSpec().getPorts().get(0).getNodePort(), "a ClusterIP Service has no NodePort");
        assertNull(dropped.getSpec().getHealthCheckNodePort());
    }
}
