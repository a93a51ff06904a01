package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ServicePortIntent.NoEndpoints;
import io.svcproxy.plan.ServicePortIntent;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The mode-neutral decisions per service port (lives here: the plan package's tests are iptables mode's). */
class ServicePortIntentTest {
    private static final PlannerOptions V4 = PlannerOptions.defaults(IpFamily.V4, "node-a")
            .withNode("", Addresses.parseIp("192.168.56.11"));

    private static ServicePort lb(boolean etpLocal, List<Cidr> ranges) {
        return new ServicePort(new ServicePortName("ns", "lb", "http", Protocol.TCP),
                List.of(Addresses.parseIp("10.96.0.10")), 80, 30080, List.of(),
                List.of(Addresses.parseIp("203.0.113.10")), ranges, etpLocal, false, 0, 0);
    }

    private static Endpoint ep(String ip, String node) {
        return Endpoint.ready(Addresses.parseIp(ip), 8080, node);
    }

    @Test
    void noEndpointsAnywhereRejectsEverything() {
        ServicePortIntent in = ServicePortIntent.of(lb(false, List.of()), List.of(), V4);
        assertEquals(NoEndpoints.REJECT, in.internalNoEndpoints());
        assertEquals(NoEndpoints.REJECT, in.externalNoEndpoints());
        assertFalse(in.usesExternalChain());
    }

    @Test
    void externalLocalWithoutLocalEndpointsDropsExternalTrafficOnly() {
        ServicePortIntent in = ServicePortIntent.of(lb(true, List.of()), List.of(ep("10.244.2.1", "node-b")), V4);
        assertEquals(NoEndpoints.NONE, in.internalNoEndpoints());
        assertEquals(NoEndpoints.DROP, in.externalNoEndpoints());
        assertTrue(in.usesExternalChain(), "the short-circuit rules are still needed");
        assertTrue(in.usesClusterEndpoints());
        assertFalse(in.usesLocalEndpoints());
    }

    @Test
    void sourceRangesApplyWithOrWithoutEndpointsAndNoticeTheNodeIP() {
        ServicePortIntent in = ServicePortIntent.of(lb(false, List.of(Cidr.parse("192.168.56.0/24"))), List.of(), V4);
        assertTrue(in.sourceRangesApply());
        assertTrue(in.allowFromNode());
    }

    @Test
    void localReachableEndpointsAreThisNodes() {
        ServicePortIntent in = ServicePortIntent.of(lb(false, List.of()),
                List.of(ep("10.244.1.1", "node-a"), ep("10.244.2.1", "node-b")), V4);
        assertEquals(List.of(ep("10.244.1.1", "node-a")), in.localReachableEndpoints("node-a"));
        assertEquals(2, in.reachableEndpoints().size());
    }

    @Test
    void oneDestinationSetPerAddressFallsBackToClusterEndpointsWithoutLocalOnes() {
        Endpoint here = ep("10.244.1.1", "node-a");
        Endpoint there = ep("10.244.2.1", "node-b");
        ServicePortIntent local = ServicePortIntent.of(lb(true, List.of()), List.of(here, there), V4);
        assertEquals(List.of(here), local.externalDestinations());
        assertEquals(List.of(here, there), local.internalDestinations(), "internal policy is Cluster");
        ServicePortIntent remote = ServicePortIntent.of(lb(true, List.of()), List.of(there), V4);
        assertEquals(List.of(there), remote.externalDestinations(), "no local endpoint: the cluster's (PR 97081)");
    }

    @Test
    void nodeEndpointsAreThisNodesReadyOrNot() {
        Endpoint notReady = new Endpoint(Addresses.parseIp("10.244.1.2"), 8080, false, false, false, "node-a",
                java.util.Set.of(), java.util.Set.of());
        ServicePortIntent in = ServicePortIntent.of(lb(false, List.of()),
                List.of(ep("10.244.1.1", "node-a"), notReady, ep("10.244.2.1", "node-b")), V4);
        assertEquals(List.of(ep("10.244.1.1", "node-a"), notReady), in.nodeEndpoints());
        assertEquals(List.of(ep("10.244.1.1", "node-a")), in.localReachableEndpoints("node-a"));
    }

    @Test
    void noClusterIPOfTheFamilyMeansNoIntent() {
        assertNull(ServicePortIntent.of(lb(false, List.of()), List.of(),
                PlannerOptions.defaults(IpFamily.V6, "node-a")));
    }
}
