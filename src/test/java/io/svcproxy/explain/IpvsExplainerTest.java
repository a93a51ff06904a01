package io.svcproxy.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.explain.ipvs.IpvsExplainer;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The IPVS walk on hand-made IPVS tables (no glue: the VIP bound on kube-ipvs0 is local, so the
 * packet reaches the virtual server): the schedulers' shares, draining, no destination, and the
 * differences a drifted live table shows against the planned one.
 */
class IpvsExplainerTest {
    private static final String VIP = "10.96.0.10";
    private static final Packet PACKET = new Packet(Addresses.parseIp("10.244.1.5"), Addresses.parseIp(VIP),
            80, Protocol.TCP, null, Origin.ROUTED);

    private static RealServer dest(String ip, int weight) {
        return new RealServer(Addresses.parseIp(ip), 8080, weight, 0, 0);
    }

    private static Explanation explain(String scheduler, List<RealServer> dests) {
        VirtualServer vs = new VirtualServer(Addresses.parseIp(VIP), Protocol.TCP, 80, scheduler, 0, 0, 0xffffffff);
        TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>(Map.of(vs.key(), vs));
        IpvsState ipvs = new IpvsState(services, Map.of(vs.key(), dests), Set.of(Addresses.parseIp(VIP)));
        return IpvsExplainer.explain(Ruleset.empty(IpFamily.V4), IpsetState.empty(), ipvs, PACKET,
                new NodeFacts(List.of()), "t");
    }

    @Test
    void roundRobinTakesEveryServingDestinationInTurnWhateverItsWeight() {
        Explanation e = explain("rr", List.of(dest("10.244.2.1", 1), dest("10.244.2.2", 3), dest("10.244.2.3", 0)));
        assertEquals(Verdict.DELIVERED, e.verdict());
        assertEquals(Map.of("10.244.2.1:8080", 0.5, "10.244.2.2:8080", 0.5), e.endpoints());
    }

    @Test
    void weightedRoundRobinSharesByWeight() {
        Explanation e = explain("wrr", List.of(dest("10.244.2.1", 1), dest("10.244.2.2", 3)));
        assertEquals(Map.of("10.244.2.1:8080", 0.25, "10.244.2.2:8080", 0.75), e.endpoints());
    }

    @Test
    void noServingDestinationIsRejectedByTheNodesOwnStack() {
        assertEquals(Verdict.REJECTED, explain("rr", List.of(dest("10.244.2.1", 0))).verdict());
        assertEquals(Verdict.REJECTED, explain("rr", List.of()).verdict());
    }

    @Test
    void aLiveTableThatDriftedFromThePlanShowsOnThePath() {
        Explanation planned = explain("rr", List.of(dest("10.244.2.1", 1), dest("10.244.2.2", 1)));
        Explanation live = explain("rr", List.of(dest("10.244.2.1", 1)));
        assertEquals(List.of("endpoint 10.244.2.1:8080: planned p=0.5000, live p=1.0000",
                "endpoint 10.244.2.2:8080: planned p=0.5000, live p=0.0000"), PathDifferences.of(planned, live));
        assertTrue(PathDifferences.of(planned, explain("rr", List.of(dest("10.244.2.2", 1), dest("10.244.2.1", 1))))
                .isEmpty(), "the destinations' order is not a difference");
        List<String> scheduler = PathDifferences.of(planned, explain("wrr", List.of(dest("10.244.2.1", 1),
                dest("10.244.2.2", 1))));
        assertTrue(scheduler.stream().anyMatch(d -> d.startsWith("only live: IPVS TCP 10.96.0.10:80: virtual server"
                + " tcp 10.96.0.10:80 scheduler wrr")), scheduler.toString());
    }
}
