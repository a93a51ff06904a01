package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.PlannerOptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

class NftablesPlannerTest {
    private static final NftablesOptions V4 = NftablesOptions.of(PlannerOptions.defaults(IpFamily.V4, "node-a"));

    private static InetAddress ip(String s) {
        return Addresses.parseIp(s);
    }

    private static ServicePort clusterIP(String ns, String name, String clusterIP, int port) {
        return new ServicePort(new ServicePortName(ns, name, "", Protocol.TCP), List.of(ip(clusterIP)), port, 0,
                List.of(), List.of(), List.of(), false, false, 0, 0);
    }

    private static ClusterSnapshot snapshot(Map<ServicePort, List<Endpoint>> services) {
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>();
        TreeMap<ServicePortName, List<Endpoint>> eps = new TreeMap<>();
        services.forEach((s, e) -> {
            svcs.put(s.name(), s);
            eps.put(s.name(), e);
        });
        return new ClusterSnapshot(svcs, eps, Optional.empty(), List.of());
    }

    @Test
    void planningIsDeterministic() {
        ClusterSnapshot snap = new io.svcproxy.source.ClusterFileSource(
                java.nio.file.Path.of("test-fixtures/golden/loadbalancer/cluster.yaml"), "node-a").load();
        String a = NftText.render(NftablesPlanner.planFamily(snap, V4).table());
        String b = NftText.render(NftablesPlanner.planFamily(snap, V4).table());
        assertEquals(a, b);
        assertEquals(NftablesPlanner.planFamily(snap, V4).table(), NftablesPlanner.planFamily(snap, V4).table());
    }

    @Test
    void replanningChangedServicesEqualsPlanningEverything() {
        ServicePort a = clusterIP("ns", "a", "10.96.0.10", 80);
        ServicePort b = clusterIP("ns", "b", "10.96.0.11", 80);
        ServicePort c = clusterIP("ns", "c", "10.96.0.12", 80);
        Endpoint ep1 = Endpoint.ready(ip("10.244.1.1"), 8080, "node-a");
        Endpoint ep2 = Endpoint.ready(ip("10.244.2.1"), 8080, "node-b");
        ClusterSnapshot before = snapshot(Map.of(a, List.of(ep1), b, List.of(ep2), c, List.of()));
        NftablesFamilyPlan first = NftablesPlanner.planFamily(before, V4);

        // b gains an endpoint, c is deleted, d is new; a is untouched.
        ServicePort d = clusterIP("ns", "d", "10.96.0.13", 443);
        ClusterSnapshot after = snapshot(Map.of(a, List.of(ep1), b, List.of(ep1, ep2), d, List.of(ep2)));
        List<ServicePortName> changed = List.of(b.name(), c.name(), d.name());
        NftablesFamilyPlan incremental = NftablesPlanner.replan(first, after, changed);
        NftablesFamilyPlan full = NftablesPlanner.planFamily(after, V4);
        assertEquals(full.table(), incremental.table());
        assertEquals(NftText.render(full.table()), NftText.render(incremental.table()));
        assertEquals(full.services(), incremental.services());
        assertTrue(incremental.services().get(a.name()) == first.services().get(a.name()),
                "an unchanged service's objects are reused, not re-planned");
        assertEquals(List.of(b.name(), c.name(), d.name()), List.copyOf(incremental.changedServices(first)));
        assertEquals(List.of(b.name(), c.name(), d.name()), List.copyOf(full.changedServices(first)));
    }

    @Test
    void eachServicePortOwnsItsChainsAndSetElements() {
        ServicePort a = clusterIP("ns", "a", "10.96.0.10", 80);
        NftablesFamilyPlan plan = NftablesPlanner.planFamily(
                snapshot(Map.of(a, List.of(Endpoint.ready(ip("10.244.1.1"), 8080, "node-a")))), V4);
        String chain = NftNames.clusterChain(a.name());
        assertEquals(a.name(), plan.owner(chain));
        assertNull(plan.owner(NftNames.SERVICES));
        ServicePortObjects objs = plan.services().get(a.name());
        assertEquals(List.of(chain), List.copyOf(objs.chains().keySet()));
        assertEquals(1, objs.elementsOf(NftNames.SERVICE_IPS).size());
        assertEquals(1, objs.elementsOf(NftNames.CLUSTER_IPS).size());
        assertEquals(1, objs.elementsOf(NftNames.HAIRPIN_CONNECTIONS).size(), "a local endpoint may hairpin");
    }

    @Test
    void twoServicesBehindTheSamePodPortShareOneHairpinElement() {
        Endpoint ep = Endpoint.ready(ip("10.244.1.1"), 8080, "node-a");
        ServicePort a = clusterIP("ns", "a", "10.96.0.10", 80);
        ServicePort b = clusterIP("ns", "b", "10.96.0.11", 81);
        NftablesFamilyPlan plan = NftablesPlanner.planFamily(snapshot(Map.of(a, List.of(ep), b, List.of(ep))), V4);
        assertEquals(1, plan.table().sets().get(NftNames.HAIRPIN_CONNECTIONS).elements().size());
        assertEquals(List.of(a.name()), List.copyOf(plan.elementOwners(NftNames.HAIRPIN_CONNECTIONS).values()));
        assertEquals(2, plan.elementOwners(NftNames.SERVICE_IPS).size());
    }

    @Test
    void aServicePortWithUnsafeNamesIsLeftOutWithAWarning() {
        ServicePort bad = new ServicePort(new ServicePortName("ns", "x\" drop", "", Protocol.TCP),
                List.of(ip("10.96.0.10")), 80, 0, List.of(), List.of(), List.of(), false, false, 0, 0);
        ServicePort good = clusterIP("ns", "good", "10.96.0.11", 80);
        NftablesFamilyPlan plan = NftablesPlanner.planFamily(snapshot(Map.of(bad, List.of(), good, List.of())), V4);
        assertEquals(List.of(good.name()), new ArrayList<>(plan.services().keySet()));
        assertEquals(1, plan.warnings().size());
        assertTrue(!NftText.render(plan.table()).contains("drop\""));
    }

    @Test
    void servicesWithoutAClusterIPOfTheFamilyAreNotInItsTable() {
        ServicePort v6 = new ServicePort(new ServicePortName("ns", "v6", "", Protocol.UDP), List.of(ip("fd00::10")),
                53, 0, List.of(), List.of(), List.of(), false, false, 0, 0);
        NftablesFamilyPlan plan = NftablesPlanner.planFamily(snapshot(Map.of(v6, List.of())), V4);
        assertTrue(plan.services().isEmpty());
        assertTrue(plan.table().sets().get(NftNames.CLUSTER_IPS).elements().isEmpty());
    }
}
