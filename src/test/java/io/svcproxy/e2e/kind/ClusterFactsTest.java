package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.svcproxy.e2e.Capabilities;
import io.svcproxy.e2e.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nodes and capabilities read from the API, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class ClusterFactsTest {
    KubernetesClient client;

    @Test
    void singleStackKindClusterReadyNodesInNameOrder() {
        node("kind-worker2", true, List.of("172.18.0.4"), List.of("10.244.2.0/24"));
        node("kind-control-plane", true, List.of("172.18.0.2"), List.of("10.244.0.0/24"));
        node("kind-worker", true, List.of("172.18.0.3"), List.of("10.244.1.0/24"));
        node("kind-broken", false, List.of("172.18.0.9"), List.of("10.244.9.0/24"));
        ClusterFacts f = ClusterFacts.read(client, true);
        assertEquals(List.of("kind-control-plane", "kind-worker", "kind-worker2"), f.nodes(), "Ready nodes only");
        assertEquals(new Capabilities(List.of(IpFamily.IPv4), Capabilities.Sctp.CONNECT), f.capabilities());
        assertEquals("172.18.0.3", f.address("kind-worker", IpFamily.IPv4));
        assertThrows(IllegalArgumentException.class, () -> f.address("kind-worker", IpFamily.IPv6));
        assertThrows(IllegalArgumentException.class, () -> f.address("nope", IpFamily.IPv4));
        assertEquals(Capabilities.Sctp.NONE, ClusterFacts.read(client, false).capabilities().sctp());
    }

    @Test
    void dualStackWhenEveryNodeHasBothFamiliesPrimaryFromTheKubernetesService() {
        node("a", true, List.of("172.18.0.2", "fc00:f853:ccd:e793::2"), List.of("10.244.0.0/24", "fd00:10:244::/64"));
        node("b", true, List.of("172.18.0.3", "fc00:f853:ccd:e793::3"), List.of("10.244.1.0/24", "fd00:10:244:1::/64"));
        ClusterFacts f = ClusterFacts.read(client, true);
        assertEquals(List.of(IpFamily.IPv4, IpFamily.IPv6), f.capabilities().families());
        assertEquals("fc00:f853:ccd:e793:0:0:0:3", f.address("b", IpFamily.IPv6));

        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("kubernetes")
                .withNamespace("default").endMetadata().withNewSpec().withClusterIP("fd00:10:96::1")
                .withIpFamilies("IPv6").endSpec().build()).create();
        assertEquals(List.of(IpFamily.IPv6, IpFamily.IPv4), ClusterFacts.read(client, true).capabilities().families());
    }

    @Test
    void aFamilyCountsOnlyWhenEveryNodeHasIt() {
        node("a", true, List.of("172.18.0.2", "fc00::2"), List.of("10.244.0.0/24", "fd00:10:244::/64"));
        node("b", true, List.of("172.18.0.3"), List.of("10.244.1.0/24"));
        assertEquals(List.of(IpFamily.IPv4), ClusterFacts.read(client, true).capabilities().families());
    }

    @Test
    void podCidrsOfOneFamilyOnlyMakeItSingleStack() {
        node("a", true, List.of("172.18.0.2", "fc00::2"), List.of("10.244.0.0/24"));
        node("b", true, List.of("172.18.0.3", "fc00::3"), List.of("10.244.1.0/24"));
        assertEquals(List.of(IpFamily.IPv4), ClusterFacts.read(client, true).capabilities().families());
    }

    @Test
    void fewerThanTwoReadyNodesIsAnError() {
        node("only", true, List.of("172.18.0.2"), List.of());
        node("down", false, List.of("172.18.0.3"), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClusterFacts.read(client, true));
        assertTrue(e.getMessage().contains("[only]"), e.getMessage());
    }

    @Test
    void noSharedFamilyIsAnError() {
        node("a", true, List.of("172.18.0.2"), List.of());
        node("b", true, List.of("fc00::3"), List.of());
        assertThrows(IllegalStateException.class, () -> ClusterFacts.read(client, true));
    }

    private void node(String name, boolean ready, List<String> ips, List<String> podCidrs) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDRs(podCidrs).endSpec();
        Node n = b.build();
        n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress().build());
        for (String ip : ips) {
            n.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress(ip, "InternalIP"));
        }
        client.nodes().resource(n).create();
    }
}
