package io.svcproxy.plan;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StaleConntrackPlannerTest {
    private static final String NODE = "node-a";
    private static final PlannerOptions V4 = PlannerOptions.defaults(IpFamily.V4, NODE);
    private static final PlannerOptions V6 = PlannerOptions.defaults(IpFamily.V6, NODE);
    private static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "dns", Protocol.UDP);
    private static final ServicePortName DNS_TCP = new ServicePortName("kube-system", "dns", "dns-tcp", Protocol.TCP);

    private static InetAddress ip(String s) {
        return Addresses.parseIp(s);
    }

    private static ServicePort udp(List<String> clusterIPs, int nodePort, List<String> external, List<String> lb) {
        return port(DNS, clusterIPs, nodePort, external, lb);
    }

    private static ServicePort port(ServicePortName name, List<String> clusterIPs, int nodePort, List<String> external,
                                    List<String> lb) {
        return new ServicePort(name, clusterIPs.stream().map(StaleConntrackPlannerTest::ip).toList(), 53, nodePort,
                external.stream().map(StaleConntrackPlannerTest::ip).toList(),
                lb.stream().map(StaleConntrackPlannerTest::ip).toList(), List.of(), false, false, 0, 0);
    }

    private static Endpoint ready(String ip) {
        return Endpoint.ready(ip(ip), 5353, "node-b");
    }

    private static Endpoint notReady(String ip) {
        return new Endpoint(ip(ip), 5353, false, false, false, "node-b", Set.of(), Set.of());
    }

    private static Endpoint terminating(String ip) {
        return new Endpoint(ip(ip), 5353, false, true, true, "node-b", Set.of(), Set.of());
    }

    private static ClusterSnapshot snapshot(List<ServicePort> ports, Map<ServicePortName, List<Endpoint>> eps) {
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>();
        ports.forEach(p -> svcs.put(p.name(), p));
        return new ClusterSnapshot(svcs, eps, Optional.empty(), List.of());
    }

    private static ConntrackFilter toService(String ip, int port) {
        return new ConntrackFilter(IpFamily.V4, Protocol.UDP, ip(ip), port, null);
    }

    private static ConntrackFilter toEndpoint(String serviceIP, int port, String endpoint) {
        return new ConntrackFilter(IpFamily.V4, Protocol.UDP, serviceIP == null ? null : ip(serviceIP), port, ip(endpoint));
    }

    @Test
    void serviceGainingItsFirstEndpointClearsEntriesToAllItsAddresses() {
        ServicePort svc = udp(List.of("10.96.0.10"), 30053, List.of("192.0.2.1"), List.of("198.51.100.7"));
        ClusterSnapshot before = snapshot(List.of(svc), Map.of());
        ClusterSnapshot after = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"))));

        assertEquals(List.of(toService("10.96.0.10", 53), toService("192.0.2.1", 53), toService("198.51.100.7", 53),
                        new ConntrackFilter(IpFamily.V4, Protocol.UDP, null, 30053, null)),
                StaleConntrackPlanner.plan(before, after, V4));
    }

    @Test
    void newServiceWithEndpointsCountsAsGainingThem() {
        ServicePort svc = udp(List.of("10.96.0.10"), 0, List.of(), List.of());
        assertEquals(List.of(toService("10.96.0.10", 53)), StaleConntrackPlanner.plan(ClusterSnapshot.empty(),
                snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5")))), V4));
    }

    @Test
    void onlyNotReadyEndpointsAreNotUsable() {
        ServicePort svc = udp(List.of("10.96.0.10"), 0, List.of(), List.of());
        ClusterSnapshot before = snapshot(List.of(svc), Map.of(DNS, List.of(notReady("10.244.1.5"))));
        ClusterSnapshot after = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"))));
        assertEquals(List.of(toService("10.96.0.10", 53)), StaleConntrackPlanner.plan(before, after, V4));
    }

    @Test
    void removedEndpointClearsEntriesRepliedByIt() {
        ServicePort svc = udp(List.of("10.96.0.10"), 30053, List.of("192.0.2.1"), List.of("198.51.100.7"));
        ClusterSnapshot before = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"), ready("10.244.1.6"))));
        ClusterSnapshot after = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.6"))));

        assertEquals(List.of(toEndpoint("10.96.0.10", 53, "10.244.1.5"), toEndpoint("192.0.2.1", 53, "10.244.1.5"),
                        toEndpoint("198.51.100.7", 53, "10.244.1.5"), toEndpoint(null, 30053, "10.244.1.5")),
                StaleConntrackPlanner.plan(before, after, V4));
    }

    @Test
    void endpointTurningNotReadyIsStaleButTerminatingFallbackIsNot() {
        ServicePort svc = udp(List.of("10.96.0.10"), 0, List.of(), List.of());
        ClusterSnapshot before = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"), ready("10.244.1.6"))));
        // .5 goes not-ready while .6 stays ready: .5 is stale.
        ClusterSnapshot notReady = snapshot(List.of(svc), Map.of(DNS, List.of(notReady("10.244.1.5"), ready("10.244.1.6"))));
        assertEquals(List.of(toEndpoint("10.96.0.10", 53, "10.244.1.5")), StaleConntrackPlanner.plan(before, notReady, V4));

        // Both terminate but keep serving: no ready one is left, so both stay in use as fallback.
        ClusterSnapshot fallback = snapshot(List.of(svc),
                Map.of(DNS, List.of(terminating("10.244.1.5"), terminating("10.244.1.6"))));
        assertEquals(List.of(), StaleConntrackPlanner.plan(before, fallback, V4));
    }

    @Test
    void deletedServiceClearsEntriesOfItsFormerEndpoints() {
        ServicePort svc = udp(List.of("10.96.0.10"), 0, List.of(), List.of());
        ClusterSnapshot before = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"))));
        assertEquals(List.of(toEndpoint("10.96.0.10", 53, "10.244.1.5")),
                StaleConntrackPlanner.plan(before, ClusterSnapshot.empty(), V4));
    }

    @Test
    void unchangedEndpointsNeedNothing() {
        ServicePort svc = udp(List.of("10.96.0.10"), 30053, List.of(), List.of());
        ClusterSnapshot s = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"))));
        assertEquals(List.of(), StaleConntrackPlanner.plan(s, s, V4));
    }

    @Test
    void tcpIsNeverCleaned() {
        ServicePort tcp = port(DNS_TCP, List.of("10.96.0.10"), 30053, List.of(), List.of());
        ClusterSnapshot before = snapshot(List.of(tcp), Map.of(DNS_TCP, List.of(ready("10.244.1.5"))));
        ClusterSnapshot after = snapshot(List.of(tcp), Map.of(DNS_TCP, List.of(ready("10.244.1.6"))));
        assertEquals(List.of(), StaleConntrackPlanner.plan(before, after, V4));
    }

    @Test
    void familiesArePlannedSeparately() {
        ServicePort svc = udp(List.of("10.96.0.10", "fd00:96::10"), 0, List.of(), List.of());
        ClusterSnapshot before = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"), ready("fd00:244::5"))));
        ClusterSnapshot after = snapshot(List.of(svc), Map.of(DNS, List.of(ready("10.244.1.5"))));
        assertEquals(List.of(), StaleConntrackPlanner.plan(before, after, V4));
        assertEquals(List.of(new ConntrackFilter(IpFamily.V6, Protocol.UDP, ip("fd00:96::10"), 53, ip("fd00:244::5"))),
                StaleConntrackPlanner.plan(before, after, V6));
    }

    @Test
    void outputIsDeterministicAcrossServicesAndEndpoints() {
        ServicePortName b = new ServicePortName("ns", "b", "", Protocol.UDP);
        ServicePortName a = new ServicePortName("ns", "a", "", Protocol.UDP);
        ServicePort svcA = port(a, List.of("10.96.0.1"), 0, List.of(), List.of());
        ServicePort svcB = port(b, List.of("10.96.0.2"), 0, List.of(), List.of());
        ClusterSnapshot before = snapshot(List.of(svcB, svcA), Map.of(
                a, List.of(ready("10.244.1.9"), ready("10.244.1.10")), b, List.of(ready("10.244.2.1"))));
        ClusterSnapshot after = snapshot(List.of(svcA, svcB), Map.of());
        List<ConntrackFilter> expected = new ArrayList<>(List.of(
                toEndpoint("10.96.0.1", 53, "10.244.1.10"), toEndpoint("10.96.0.1", 53, "10.244.1.9"),
                toEndpoint("10.96.0.2", 53, "10.244.2.1")));
        assertEquals(expected, StaleConntrackPlanner.plan(before, after, V4));
        assertEquals(expected, StaleConntrackPlanner.plan(before, after, V4));
    }
}
