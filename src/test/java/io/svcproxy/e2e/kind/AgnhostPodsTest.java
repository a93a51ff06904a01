package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.svcproxy.e2e.Backend;
import io.svcproxy.e2e.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agnhost pods the kind driver creates: containers per port group, pinning, labels, readiness. */
class AgnhostPodsTest {
    private static final String IMAGE = KindSettings.DEFAULT_AGNHOST;
    private final AgnhostPods pods = new AgnhostPods(IMAGE);

    @Test
    void tcpAndUdpOnOnePortNumberShareOneNetexec() {
        Pod p = pods.backend("ns", new Backend("server-1", "node-b", Map.of("app", "proto-1"), List.of(
                new Backend.Port("tcp", Protocol.TCP, 8080), new Backend.Port("udp", Protocol.UDP, 8080))));
        assertEquals("server-1", p.getMetadata().getName());
        assertEquals("ns", p.getMetadata().getNamespace());
        assertEquals(Map.of("app", "proto-1", AgnhostPods.ROLE, "backend"), p.getMetadata().getLabels());
        assertEquals("node-b", p.getSpec().getNodeName());
        assertEquals("Exists", p.getSpec().getTolerations().get(0).getOperator());
        assertNull(p.getSpec().getHostNetwork());
        List<Container> cs = p.getSpec().getContainers();
        assertEquals(1, cs.size());
        assertEquals(IMAGE, cs.get(0).getImage());
        assertEquals(List.of("netexec", "--http-port=8080", "--udp-port=8080"), cs.get(0).getArgs());
        assertEquals(List.of("tcp/TCP/8080", "udp/UDP/8080"), ports(cs.get(0)));
        assertEquals("/healthz", cs.get(0).getReadinessProbe().getHttpGet().getPath(), "ready once UDP listens");
        assertEquals(8080, cs.get(0).getReadinessProbe().getHttpGet().getPort().getIntVal());
    }

    @Test
    void twoTcpPortsNeedTwoNetexecs() {
        Pod p = pods.backend("ns", new Backend("multi", "n", Map.of("app", "m"), List.of(
                new Backend.Port("svc1", Protocol.TCP, 8100), new Backend.Port("svc2", Protocol.TCP, 8101))));
        List<Container> cs = p.getSpec().getContainers();
        assertEquals(List.of("netexec-0", "netexec-1"), cs.stream().map(Container::getName).toList());
        assertEquals(List.of("netexec", "--http-port=8100", "--udp-port=-1"), cs.get(0).getArgs());
        assertEquals(List.of("netexec", "--http-port=8101", "--udp-port=-1"), cs.get(1).getArgs());
        assertEquals(List.of("svc1/TCP/8100"), ports(cs.get(0)));
        assertEquals(List.of("svc2/TCP/8101"), ports(cs.get(1)));
        assertEquals("/hostname", cs.get(1).getReadinessProbe().getHttpGet().getPath());
    }

    @Test
    void udpOrSctpOnlyGetsASpareHttpPortNoTestTargets() {
        Pod p = pods.backend("ns", new Backend("dns", "n", Map.of("app", "d"), List.of(
                new Backend.Port("dns", Protocol.UDP, 53), new Backend.Port("sip", Protocol.SCTP, 5060),
                new Backend.Port("other", Protocol.TCP, AgnhostPods.SPARE_HTTP_PORT),
                new Backend.Port("dns2", Protocol.UDP, 54))));
        List<Container> cs = p.getSpec().getContainers();
        assertEquals(2, cs.size());
        assertEquals(List.of("netexec", "--http-port=" + AgnhostPods.SPARE_HTTP_PORT, "--udp-port=53", "--sctp-port=5060"),
                cs.get(0).getArgs());
        assertEquals(List.of("netexec", "--http-port=" + (AgnhostPods.SPARE_HTTP_PORT + 1), "--udp-port=54"),
                cs.get(1).getArgs(), "the spare port skips the test's own TCP ports");
        assertEquals(List.of("other/TCP/18080", "dns/UDP/53", "sip/SCTP/5060"), ports(cs.get(0)));
    }

    @Test
    void clientAndHostPods() {
        Pod client = pods.client("ns", "e2e-client-0", "node-a");
        assertEquals(Map.of(AgnhostPods.ROLE, "client"), client.getMetadata().getLabels());
        assertEquals("node-a", client.getSpec().getNodeName());
        assertEquals(List.of("netexec", "--http-port=" + AgnhostPods.CLIENT_HTTP_PORT, "--udp-port=-1"),
                client.getSpec().getContainers().get(0).getArgs());
        assertTrue(client.getSpec().getContainers().get(0).getPorts().isEmpty(), "no port a Service could target by name");

        Pod host = pods.host("ns", "e2e-host-0", "node-a");
        assertEquals(Boolean.TRUE, host.getSpec().getHostNetwork());
        assertEquals(List.of("netexec", "--http-port=" + AgnhostPods.HOST_HTTP_PORT, "--udp-port=-1"),
                host.getSpec().getContainers().get(0).getArgs());
        assertEquals(Map.of(AgnhostPods.ROLE, "host"), host.getMetadata().getLabels());
    }

    private static List<String> ports(Container c) {
        return c.getPorts().stream().map(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getContainerPort()).toList();
    }
}
