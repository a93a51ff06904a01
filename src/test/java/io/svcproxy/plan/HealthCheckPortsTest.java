package io.svcproxy.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServiceName;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

class HealthCheckPortsTest {
    private static final String NODE = "n1";

    private static ServicePort port(String svc, String portName, List<String> clusterIPs, boolean extLocal,
                                    boolean intLocal, int hc) {
        return new ServicePort(new ServicePortName("ns", svc, portName, Protocol.TCP),
                clusterIPs.stream().map(Addresses::parseIp).toList(), 80, extLocal ? 30000 + hc % 1000 : 0,
                List.of(), List.of(), List.of(), extLocal, intLocal, 0, hc);
    }

    private static Endpoint ep(String ip, boolean ready, boolean serving, boolean terminating, String node) {
        return new Endpoint(Addresses.parseIp(ip), 8080, ready, serving, terminating, node, Set.of(), Set.of());
    }

    private static ClusterSnapshot snapshot(Map<ServicePort, List<Endpoint>> ports) {
        TreeMap<ServicePortName, ServicePort> services = new TreeMap<>();
        Map<ServicePortName, List<Endpoint>> eps = new TreeMap<>();
        ports.forEach((p, e) -> {
            services.put(p.name(), p);
            eps.put(p.name(), e);
        });
        return new ClusterSnapshot(services, eps, Optional.empty(), List.of());
    }

    @Test
    void countsDistinctLocalReadyIpsPerServiceAndLargestFamily() {
        ServicePort a = port("a", "http", List.of("10.96.0.1", "fd00::1"), true, false, 31001);
        ServicePort a2 = port("a", "https", List.of("10.96.0.1", "fd00::1"), true, false, 31001);
        ServicePort b = port("b", "", List.of("10.96.0.2"), true, false, 31002);
        ServicePort c = port("c", "", List.of("10.96.0.3"), false, false, 0);
        ClusterSnapshot s = snapshot(Map.of(
                a, List.of(ep("10.0.0.1", true, true, false, NODE), ep("fd01::1", true, true, false, NODE),
                        ep("10.0.0.2", false, true, true, NODE), ep("10.0.0.3", true, true, false, "other")),
                a2, List.of(ep("10.0.0.1", true, true, false, NODE), ep("10.0.0.4", true, true, false, NODE)),
                b, List.of(ep("10.0.0.9", true, true, false, "other")),
                c, List.of(ep("10.0.0.8", true, true, false, NODE))));
        var ports = HealthCheckPorts.of(s, NODE);
        assertEquals(Map.of(31001, new HealthCheckPorts.Entry(new ServiceName("ns", "a"), 2),
                31002, new HealthCheckPorts.Entry(new ServiceName("ns", "b"), 0)), ports);
    }

    @Test
    void noLocalEndpointsByPolicyAndFamily() {
        ServicePort ext = port("ext", "", List.of("10.96.0.1"), true, false, 31001);
        ServicePort internal = port("int", "", List.of("10.96.0.2", "fd00::2"), false, true, 0);
        ServicePort terminatingOnly = port("term", "", List.of("10.96.0.3"), false, true, 0);
        ServicePort fine = port("fine", "", List.of("10.96.0.4"), true, true, 31004);
        ClusterSnapshot s = snapshot(Map.of(
                ext, List.of(ep("10.0.0.1", true, true, false, "other")),
                internal, List.of(ep("fd01::2", true, true, false, NODE)),
                terminatingOnly, List.of(ep("10.0.0.3", false, true, true, NODE)),
                fine, List.of(ep("10.0.0.4", true, true, false, NODE))));
        assertEquals(Map.of("internal", 1, "external", 1), HealthCheckPorts.noLocalEndpoints(s, NODE, IpFamily.V4));
        assertEquals(Map.of("internal", 0, "external", 0), HealthCheckPorts.noLocalEndpoints(s, NODE, IpFamily.V6));
    }
}
