package io.svcproxy.source;

import static io.svcproxy.testing.KubeObjects.serviceCidr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Warning;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ServiceCIDR objects into service CIDRs: what counts, and a warning naming object and field for what does not. */
class ServiceCidrConverterTest {
    private final List<Warning> warnings = new ArrayList<>();

    private List<String> convert(GenericKubernetesResource o) {
        return ServiceCidrConverter.convert(o, warnings).stream().map(Cidr::toString).toList();
    }

    @Test
    void bothFamiliesOfAnObjectAreRead() {
        assertEquals(List.of("10.96.0.0/16", "fd00:10:96::/112"),
                convert(serviceCidr("kubernetes", "10.96.0.0/16", "fd00:10:96::/112")));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aBadEntryIsLeftOutWithAWarningAndTheOtherEntryStillCounts() {
        assertEquals(List.of("fd00:10:96::/112"), convert(serviceCidr("kubernetes", "10.96.0.300/16", "fd00:10:96::/112")));
        assertEquals(1, warnings.size());
        Warning w = warnings.get(0);
        assertEquals("ServiceCIDR", w.kind());
        assertEquals("kubernetes", w.object());
        assertEquals("spec.cidrs[0]", w.field());
        assertTrue(w.message().contains("10.96.0.300/16") && w.message().endsWith("left out"), w.message());
    }

    @Test
    void entriesTheApiServerWouldRejectAreLeftOut() {
        // Host bits set, no prefix length, a prefix too long, leading zeros, not a string.
        GenericKubernetesResource o = new GenericKubernetesResourceBuilder().withApiVersion("networking.k8s.io/v1")
                .withKind("ServiceCIDR").withNewMetadata().withName("odd").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("cidrs", List.of("10.96.0.1/16", 7)))).build();
        assertEquals(List.of(), convert(o));
        assertEquals(List.of("spec.cidrs[0]", "spec.cidrs[1]"), warnings.stream().map(Warning::field).toList());
        assertTrue(warnings.get(0).message().contains("host bits set"), warnings.get(0).message());
        warnings.clear();
        assertEquals(List.of(), convert(serviceCidr("a", "10.96.0.0")));
        assertEquals(List.of(), convert(serviceCidr("b", "10.96.0.0/33")));
        assertEquals(List.of(), convert(serviceCidr("c", "010.96.0.0/16")));
        assertEquals(List.of("ServiceCIDR a spec.cidrs[0]: invalid CIDR '10.96.0.0': no prefix length; left out"),
                warnings.stream().map(Warning::toString).limit(1).toList());
        assertEquals(3, warnings.size(), warnings.toString());
    }

    @Test
    void aMalformedObjectIsLeftOutWhole() {
        assertEquals(List.of(), convert(serviceCidr("three", "10.96.0.0/16", "10.97.0.0/16", "fd00::/112")));
        assertEquals(List.of(), convert(serviceCidr("Not_A_Name", "10.96.0.0/16")));
        GenericKubernetesResource specNotAnObject = new GenericKubernetesResourceBuilder()
                .withApiVersion("networking.k8s.io/v1").withKind("ServiceCIDR")
                .withNewMetadata().withName("s").endMetadata().withAdditionalProperties(Map.of("spec", "x")).build();
        assertEquals(List.of(), convert(specNotAnObject));
        assertEquals(List.of("spec.cidrs", "metadata.name", "spec"), warnings.stream().map(Warning::field).toList());
        assertTrue(warnings.get(0).message().contains("at most 2"), warnings.get(0).message());
    }

    @Test
    void noSpecOrNoCidrsIsNoCidrsAndNoWarning() {
        GenericKubernetesResource bare = new GenericKubernetesResourceBuilder().withApiVersion("networking.k8s.io/v1")
                .withKind("ServiceCIDR").withNewMetadata().withName("bare").endMetadata().build();
        assertEquals(List.of(), convert(bare));
        assertEquals(List.of(), convert(serviceCidr("empty")));
        assertEquals(List.of(), warnings);
    }

    /** As kube-proxy: the informer's objects all count, being deleted or not Ready yet. */
    @Test
    void objectsBeingDeletedOrNotReadyStillCount() {
        GenericKubernetesResource o = serviceCidr("old", "10.100.0.0/16");
        o.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        o.getMetadata().setFinalizers(List.of("networking.k8s.io/service-cidr-finalizer"));
        o.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "False",
                "reason", "Terminating"))));
        assertEquals(List.of("10.100.0.0/16"), convert(o));
        assertEquals(List.of(), warnings);
    }

    @Test
    void theSnapshotHoldsAllObjectsCidrsSortedAndDistinctAndWarnsOfDuplicates() {
        ClusterSnapshot s = SnapshotBuilder.build(List.of(), List.of(), List.of(
                serviceCidr("z-extra", "fd00:10:97::/112", "10.97.0.0/16"),
                serviceCidr("kubernetes", "10.96.0.0/16", "fd00:10:96::/112"),
                serviceCidr("same-range", "10.96.0.0/16"),
                serviceCidr("kubernetes", "192.0.2.0/24")), Optional.empty(), "", List.of());
        assertEquals(List.of("10.96.0.0/16", "10.97.0.0/16", "fd00:10:96::/112", "fd00:10:97::/112"),
                s.serviceCidrs().stream().map(Cidr::toString).toList());
        assertEquals(List.of("ServiceCIDR kubernetes metadata.name: duplicate object; the first one is used"),
                s.warnings().stream().map(Warning::toString).toList());
    }

    @Test
    void aSnapshotMadeWithoutServiceCidrsHasNone() {
        assertEquals(List.of(), ClusterSnapshot.empty().serviceCidrs());
        ClusterSnapshot s = new ClusterSnapshot(new java.util.TreeMap<>(), Map.of(), Optional.empty(), List.of(),
                List.of(Cidr.parse("fd00::/64"), Cidr.parse("10.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("9.0.0.0/8")));
        assertEquals(List.of("9.0.0.0/8", "10.0.0.0/8", "fd00::/64"), s.serviceCidrs().stream().map(Cidr::toString).toList());
    }
}
