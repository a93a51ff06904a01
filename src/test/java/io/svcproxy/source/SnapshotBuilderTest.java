package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Warning;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

import static io.svcproxy.model.Protocol.TCP;
import static io.svcproxy.source.Fixtures.spn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API-object entry point, including limits too large for a fixture file. */
class SnapshotBuilderTest {

    private static ServiceBuilder service(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.9").withPorts(new ServicePortBuilder().withName("p").withPort(80).build())
                .endSpec();
    }

    private static EndpointSliceBuilder slice(String name, String service) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder().withName("p").withPort(8080).build());
    }

    private static List<String> objects(ClusterSnapshot s) {
        return s.warnings().stream().map(w -> w.kind() + " " + w.object() + " " + w.field()).toList();
    }

    @Test
    void absurdSizesAreRefusedWithOneWarningEach() {
        Service manyPorts = service("many-ports").editSpec().withPorts(IntStream.rangeClosed(1, 1001)
                .mapToObj(i -> new ServicePortBuilder().withName("p" + i).withPort(i).build()).toList()).endSpec().build();
        Service manyExternal = service("many-external").editSpec().withExternalIPs(IntStream.range(0, 101)
                .mapToObj(i -> "192.0.2." + i).toList()).endSpec().build();
        Service manyRanges = service("many-ranges").editSpec().withType("LoadBalancer").withLoadBalancerSourceRanges(
                Collections.nCopies(1001, "198.51.100.0/24")).endSpec().build();
        EndpointSlice manyEndpoints = slice("many-endpoints", "ok").withEndpoints(IntStream.range(0, 10001)
                .mapToObj(i -> new EndpointBuilder().withAddresses("10.244." + (i / 250) + "." + (i % 250 + 1)).build())
                .toList()).build();
        ClusterSnapshot s = SnapshotBuilder.build(List.of(manyPorts, manyExternal, manyRanges, service("ok").build()),
                List.of(manyEndpoints), Optional.empty(), "");
        assertEquals(List.of("Service ns/many-external spec.externalIPs", "Service ns/many-ports spec.ports",
                "Service ns/many-ranges spec.loadBalancerSourceRanges", "EndpointSlice ns/many-endpoints endpoints"), objects(s));
        assertEquals(Set.of(spn("ns", "ok", "p", TCP)), s.services().keySet());
    }

    @Test
    void aRebuildConvertsOnlyWhatChangedAndEqualsAFreshBuild() {
        List<Service> services = new ArrayList<>(List.of(service("a").build(), service("b").build(),
                service("c").editSpec().withClusterIP("bad").endSpec().build()));
        List<EndpointSlice> slices = new ArrayList<>(List.of(
                slice("a-1", "a").withEndpoints(new EndpointBuilder().withAddresses("10.244.0.1").build()).build(),
                slice("a-2", "a").withEndpoints(new EndpointBuilder().withAddresses("10.244.0.2").build()).build(),
                slice("b-1", "b").withEndpoints(new EndpointBuilder().withAddresses("10.244.1.1").build()).build()));
        SnapshotBuilder builder = new SnapshotBuilder();
        ClusterSnapshot first = builder.rebuild(services, slices, Optional.empty(), "", List.of());
        assertEquals(SnapshotBuilder.build(services, slices, Optional.empty(), ""), first);

        // b's slice is replaced (an informer update is a new object); a's slices are the same objects.
        slices.set(2, slice("b-1", "b").withEndpoints(new EndpointBuilder().withAddresses("10.244.1.2").build()).build());
        ClusterSnapshot second = builder.rebuild(services, slices, Optional.empty(), "", List.of());
        assertEquals(SnapshotBuilder.build(services, slices, Optional.empty(), ""), second);
        assertEquals(first.warnings(), second.warnings(), "the bad service's warning is remembered with it");
        assertSame(first.endpointsOf(spn("ns", "a", "p", TCP)), second.endpointsOf(spn("ns", "a", "p", TCP)));
        assertSame(first.services().get(spn("ns", "a", "p", TCP)), second.services().get(spn("ns", "a", "p", TCP)));
        assertEquals("10.244.1.2:8080", second.endpointsOf(spn("ns", "b", "p", TCP)).get(0).toString());

        // a's second slice goes away; b is deleted.
        slices.remove(1);
        services.remove(1);
        ClusterSnapshot third = builder.rebuild(services, slices, Optional.empty(), "", List.of());
        assertEquals(SnapshotBuilder.build(services, slices, Optional.empty(), ""), third);
        assertEquals(1, third.endpointsOf(spn("ns", "a", "p", TCP)).size());
    }

    /**
     * A relist (or a watch replaying what was listed) hands out new objects of the same version: from
     * the API server they keep their converted values, so the planners see them unchanged by identity.
     * From a file (versions not trusted) and at a new version they are converted again.
     */
    @Test
    void aNewObjectOfTheSameVersionKeepsItsValuesWhenVersionsAreTrusted() {
        Service v1 = version(service("a"), "7").build();
        EndpointSlice s1 = slice("a-1", "a").editMetadata().withUid("u-a-1").withResourceVersion("8").endMetadata()
                .withEndpoints(new EndpointBuilder().withAddresses("10.244.0.1").build()).build();
        io.svcproxy.model.ServicePortName a = spn("ns", "a", "p", TCP);
        SnapshotBuilder api = new SnapshotBuilder(true);
        SnapshotBuilder file = new SnapshotBuilder(false);
        ClusterSnapshot apiFirst = api.rebuild(List.of(v1), List.of(s1), Optional.empty(), "", List.of());
        ClusterSnapshot fileFirst = file.rebuild(List.of(v1), List.of(s1), Optional.empty(), "", List.of());

        Service v1Again = version(service("a"), "7").build();
        EndpointSlice s1Again = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder(s1).build();
        ClusterSnapshot apiSecond = api.rebuild(List.of(v1Again), List.of(s1Again), Optional.empty(), "", List.of());
        ClusterSnapshot fileSecond = file.rebuild(List.of(v1Again), List.of(s1Again), Optional.empty(), "", List.of());

        assertSame(apiFirst.services().get(a), apiSecond.services().get(a));
        assertSame(apiFirst.endpointsOf(a), apiSecond.endpointsOf(a));
        assertEquals(fileFirst, fileSecond);
        org.junit.jupiter.api.Assertions.assertNotSame(fileFirst.services().get(a), fileSecond.services().get(a));

        // The next version is converted again, even with equal content.
        Service v2 = version(service("a"), "9").editSpec().withClusterIP("10.96.0.99").endSpec().build();
        ClusterSnapshot apiThird = api.rebuild(List.of(v2), List.of(s1Again), Optional.empty(), "", List.of());
        assertEquals("10.96.0.99", apiThird.services().get(a).clusterIPs().get(0).getHostAddress());
    }

    private static ServiceBuilder version(ServiceBuilder b, String resourceVersion) {
        return b.editMetadata().withUid("u-a").withResourceVersion(resourceVersion).endMetadata();
    }

    @Test
    void resultDoesNotDependOnInputOrder() {
        List<Service> services = new ArrayList<>(List.of(service("b").build(), service("a").build(),
                service("c").editSpec().withClusterIP("bad").endSpec().build(), service("d").editSpec().withClusterIP("bad").endSpec().build()));
        List<EndpointSlice> slices = new ArrayList<>(List.of(
                slice("a-1", "a").withEndpoints(new EndpointBuilder().withAddresses("10.244.0.1").build()).build(),
                slice("a-2", "a").withEndpoints(new EndpointBuilder().withAddresses("10.244.0.2").build()).build()));
        ClusterSnapshot first = SnapshotBuilder.build(services, slices, Optional.empty(), "");
        Collections.reverse(services);
        Collections.reverse(slices);
        assertEquals(first, SnapshotBuilder.build(services, slices, Optional.empty(), ""));
        assertEquals(2, first.endpointsOf(spn("ns", "a", "p", TCP)).size());
    }

    @Test
    void duplicateObjectsKeepTheFirst() {
        ClusterSnapshot s = SnapshotBuilder.build(List.of(service("a").build(), service("a").build()), List.of(),
                Optional.empty(), "");
        assertEquals(List.of("Service ns/a metadata.name"), objects(s));
        assertEquals(1, s.services().size());
    }

    @Test
    void nodeHintsAreReadFromAdditionalProperties() {
        io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e = new EndpointBuilder().withAddresses("10.244.0.1")
                .withNewHints().addNewForZone("zone-a").endHints().build();
        e.getHints().setAdditionalProperty("forNodes", List.of(Map.of("name", "node-a")));
        ClusterSnapshot s = SnapshotBuilder.build(List.of(service("a").build()),
                List.of(slice("a-1", "a").withEndpoints(e).build()), Optional.empty(), "");
        assertEquals(Set.of("node-a"), s.endpointsOf(spn("ns", "a", "p", TCP)).get(0).nodeHints());
        assertEquals(Set.of("zone-a"), s.endpointsOf(spn("ns", "a", "p", TCP)).get(0).zoneHints());
    }

    @Test
    void badNodeIsDroppedWithOneWarning() {
        Node node = new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                .withNewSpec().withPodCIDRs("10.244.1.0/33").endSpec().build();
        ClusterSnapshot s = SnapshotBuilder.build(List.of(), List.of(), Optional.of(node), "node-a");
        assertTrue(s.node().isEmpty());
        assertEquals(List.of(new Warning("Node", "node-a", "spec.podCIDRs[0]", "invalid CIDR '10.244.1.0/33'")), s.warnings());
    }

    @Test
    void skipsHeadlessExternalNameAndOtherProxiesQuietly() {
        ClusterSnapshot s = SnapshotBuilder.build(List.of(
                service("headless").editSpec().withClusterIP("None").endSpec().build(),
                service("ext").editSpec().withType("ExternalName").withClusterIP(null).endSpec().build(),
                service("other").editMetadata().withLabels(Map.of("service.kubernetes.io/service-proxy-name", "x")).endMetadata().build()),
                List.of(), Optional.empty(), "");
        assertEquals(List.of(), s.warnings());
        assertTrue(s.services().isEmpty());
    }
}
