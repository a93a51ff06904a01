package io.svcproxy.source;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.Warning;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.svcproxy.model.Protocol.TCP;
import static io.svcproxy.source.Fixtures.spn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class BadObjectsTest {
    private final ClusterSnapshot snapshot = Fixtures.load("source/bad-objects.yaml", "node-a");

    @Test
    void oneWarningPerBadObjectNamingObjectAndField() {
        List<String> expected = List.of(
                "Service web/bad-cluster-ip spec.clusterIPs[0]",
                "Service web/port-zero spec.ports[0].port",
                "Service web/port-too-big spec.ports[0].port",
                "Service web/unknown-protocol spec.ports[0].protocol",
                "Service web/duplicate-port-names spec.ports[1].name",
                "Service web/duplicate-port-protocol spec.ports[1]",
                "Service web/unnamed-ports spec.ports[0].name",
                "Service web/family-mismatch spec.ipFamilies[0]",
                "Service web/bad-source-range spec.loadBalancerSourceRanges[0]",
                "Service web/a\\x0a-A INPUT -j ACCEPT metadata.name",
                "Service web/quote-label metadata.labels[app]",
                "Service web/node-port-too-big spec.ports[0].nodePort",
                "Service web/leading-zero spec.externalIPs[0]",
                "Service web/hostname-external-ip spec.externalIPs[0]",
                "Service web/affinity-too-long spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                "Service web/unknown-type spec.type",
                "Service web/port-not-a-number ",
                "Service web/zoned-ip spec.clusterIPs[0]",
                "Service web/long-port-name spec.ports[0].name",
                "EndpointSlice web/no-service-label metadata.labels[kubernetes.io/service-name]",
                "EndpointSlice web/good-wrong-family endpoints[1].addresses[0]",
                "EndpointSlice web/good-bad-ip endpoints[0].addresses[0]",
                "EndpointSlice web\" -j ACCEPT/bad-namespace metadata.namespace",
                "EndpointSlice web/good-port-zero ports[0].port",
                "EndpointSlice web/unknown-address-type addressType",
                "EndpointSlice web/good-injected-node endpoints[0].nodeName");
        List<String> actual = snapshot.warnings().stream()
                .map(w -> w.kind() + " " + w.object() + " " + w.field()).sorted().toList();
        assertEquals(expected.stream().sorted().toList(), actual, () -> String.join("\n", snapshot.warnings().stream().map(Warning::toString).toList()));
    }

    @Test
    void warningsCarryNoRawControlCharacters() {
        for (Warning w : snapshot.warnings()) {
            assertFalse(w.toString().chars().anyMatch(c -> c < 0x20), w::toString);
        }
    }

    @Test
    void validObjectsInTheSameFileConvert() {
        assertEquals(2, snapshot.services().size(), snapshot.services().keySet()::toString);
        assertEquals(List.of("10.244.1.1:8080", "10.244.1.3:8080", "10.244.2.1:8080"),
                snapshot.endpointsOf(spn("web", "good", "http", TCP)).stream().map(Endpoint::toString).toList());
        assertEquals(List.of("10.244.1.1:8443", "10.244.1.6:8443", "10.244.2.1:8443"),
                snapshot.endpointsOf(spn("web", "good", "https", TCP)).stream().map(Endpoint::toString).toList());
        assertEquals("node-a", snapshot.node().orElseThrow().name());
    }
}
