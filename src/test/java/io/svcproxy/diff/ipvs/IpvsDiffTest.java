package io.svcproxy.diff.ipvs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipset.IpsetType;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

class IpvsDiffTest {
    private static final VirtualServer TCP = vs("10.96.0.10", Protocol.TCP, 80);
    private static final VirtualServer UDP = vs("10.96.0.10", Protocol.UDP, 53);
    private static final RealServer A = RealServer.of(Addresses.parseIp("10.244.1.5"), 8080);
    private static final RealServer B = RealServer.of(Addresses.parseIp("10.244.2.6"), 8080);

    @Test
    void oneEndpointRemovedIsOneWeightZeroUpdateThenOneDelete() {
        RealServer busyB = new RealServer(B.address(), B.port(), 1, 2, 1);
        IpvsState actual = state(TCP, List.of(A, busyB));
        IpvsState desired = state(TCP, List.of(A));
        IpvsChanges first = IpvsDiff.diff(actual, desired, DrainState.empty(), IpvsDiff.Scope.defaults(), 0);
        assertEquals(List.of(new IpvsOp.UpdateDestination(TCP.key(), new RealServer(B.address(), 8080, 0, 2, 1))),
                first.ops());
        assertTrue(first.drain().draining(TCP.key(), B));

        IpvsSimulator sim = new IpvsSimulator(actual);
        sim.applyAll(first.ops());
        IpvsChanges stillBusy = IpvsDiff.diff(sim.state(), desired, first.drain(), IpvsDiff.Scope.defaults(), 60_000);
        assertEquals(List.of(), stillBusy.ops());

        sim.connections(TCP.key(), B.key(), 0, 0);
        IpvsChanges done = IpvsDiff.diff(sim.state(), desired, stillBusy.drain(), IpvsDiff.Scope.defaults(), 120_000);
        assertEquals(1, done.ops().size());
        assertTrue(done.ops().get(0) instanceof IpvsOp.DeleteDestination);
        assertTrue(done.drain().isEmpty());
        sim.applyAll(done.ops());
        assertEquals(List.of(A), sim.state().destinationsOf(TCP.key()));
    }

    @Test
    void drainingEndsAtTheBoundEvenWithConnections() {
        RealServer draining = new RealServer(B.address(), B.port(), 0, 5, 0);
        IpvsState actual = state(TCP, List.of(A, draining));
        IpvsState desired = state(TCP, List.of(A));
        DrainState drain = new DrainState(new TreeMap<>(Map.of(DrainState.id(TCP.key(), B), 0L)));
        IpvsDiff.Scope scope = new IpvsDiff.Scope(Set.of(), List.of(), Duration.ofMinutes(1));
        assertEquals(List.of(), IpvsDiff.diff(actual, desired, drain, scope, 59_999).ops());
        assertEquals(List.of(new IpvsOp.DeleteDestination(TCP.key(), draining)),
                IpvsDiff.diff(actual, desired, drain, scope, 60_000).ops());
    }

    @Test
    void aDrainingEndpointThatComesBackGetsItsWeightBack() {
        RealServer draining = new RealServer(B.address(), B.port(), 0, 5, 0);
        IpvsState actual = state(TCP, List.of(A, draining));
        IpvsChanges c = IpvsDiff.diff(actual, state(TCP, List.of(A, B)), DrainState.empty(), IpvsDiff.Scope.defaults(), 0);
        assertEquals(List.of(new IpvsOp.UpdateDestination(TCP.key(), B)), c.ops());
    }

    @Test
    void udpDestinationsGoAtOnceAndAreReportedForConntrackCleanup() {
        RealServer busyB = new RealServer(B.address(), B.port(), 1, 3, 0);
        IpvsChanges c = IpvsDiff.diff(state(UDP, List.of(A, busyB)), state(UDP, List.of(A)), DrainState.empty(),
                IpvsDiff.Scope.defaults(), 0);
        assertEquals(List.of(new IpvsOp.DeleteDestination(UDP.key(), busyB)), c.ops());
        assertEquals(List.of(new IpvsChanges.StaleUdpDestination(UDP.key(), busyB)), c.conntrackCleanup());
    }

    @Test
    void operationsComeInPhaseOrder() {
        VirtualServer stale = vs("10.96.0.99", Protocol.TCP, 80);
        IpvsState actual = new IpvsState(new TreeMap<>(Map.of(stale.key(), stale, TCP.key(), TCP)),
                Map.of(stale.key(), List.of(A), TCP.key(), List.of(A, B)), Set.of(stale.address(), TCP.address()));
        VirtualServer added = vs("10.96.0.11", Protocol.TCP, 80);
        VirtualServer changed = new VirtualServer(TCP.address(), Protocol.TCP, 80, "wrr", 0, 0, 0xffffffff);
        IpvsState desired = new IpvsState(new TreeMap<>(Map.of(changed.key(), changed, added.key(), added)),
                Map.of(changed.key(), List.of(A), added.key(), List.of(B)), Set.of(TCP.address(), added.address()));
        List<IpvsOp> ops = IpvsDiff.diff(actual, desired, DrainState.empty(), IpvsDiff.Scope.defaults(), 0).ops();
        assertEquals(List.of(
                new IpvsOp.UnbindAddress(stale.address()),
                new IpvsOp.DeleteDestination(TCP.key(), B),
                new IpvsOp.DeleteService(stale.key()),
                new IpvsOp.UpdateService(changed),
                new IpvsOp.AddService(added),
                new IpvsOp.AddDestination(added.key(), B),
                new IpvsOp.BindAddress(added.address())), ops);
        IpvsSimulator sim = new IpvsSimulator(actual);
        sim.applyAll(ops);
    }

    @Test
    void servicesOfOthersAndInsideExcludeCidrsAreLeftAlone() {
        VirtualServer foreign = vs("172.16.0.1", Protocol.TCP, 80);
        VirtualServer excluded = vs("10.96.0.50", Protocol.TCP, 80);
        IpvsState actual = new IpvsState(new TreeMap<>(Map.of(foreign.key(), foreign, excluded.key(), excluded)),
                Map.of(), Set.of(excluded.address()));
        IpvsState desired = new IpvsState(new TreeMap<>(), Map.of(), Set.of(excluded.address()));
        IpvsDiff.Scope scope = new IpvsDiff.Scope(Set.of(), List.of(Cidr.parse("10.96.0.48/28")),
                IpvsDiff.DEFAULT_DRAIN_BOUND);
        assertTrue(IpvsDiff.diff(actual, desired, DrainState.empty(), scope, 0).isEmpty());
    }

    @Test
    void nodePortServicesOnNodeAddressesAreOurs() {
        VirtualServer nodePort = vs("192.168.56.11", Protocol.TCP, 30080);
        IpvsState actual = new IpvsState(new TreeMap<>(Map.of(nodePort.key(), nodePort)),
                Map.of(nodePort.key(), List.of(A)), Set.of()); // node addresses are never bound on kube-ipvs0
        IpvsDiff.Scope scope = new IpvsDiff.Scope(Set.of(nodePort.address()), List.of(), IpvsDiff.DEFAULT_DRAIN_BOUND);
        assertEquals(List.of(new IpvsOp.DeleteService(nodePort.key())),
                IpvsDiff.diff(actual, IpvsState.empty(), DrainState.empty(), scope, 0).ops());
    }

    @Test
    void ipsetDiffIsMinimal() {
        Ipset have = new Ipset("KUBE-CLUSTER-IP", IpsetType.HASH_IP_PORT, IpFamily.V4, "c",
                new TreeSet<>(List.of("10.96.0.1,tcp:443", "10.96.0.2,tcp:80")));
        Ipset want = have.withMembers(new TreeSet<>(List.of("10.96.0.1,tcp:443", "10.96.0.3,udp:53")));
        Ipset legacy = new Ipset("KUBE-NODE-PORT-SCTP", IpsetType.BITMAP_PORT, IpFamily.V4, "", new TreeSet<>());
        IpsetChanges c = IpsetDiff.diff(IpsetState.of(List.of(have, legacy)), IpsetState.of(List.of(want)));
        assertEquals(List.of("del KUBE-CLUSTER-IP 10.96.0.2,tcp:80 -exist", "add KUBE-CLUSTER-IP 10.96.0.3,udp:53 -exist"),
                c.apply());
        assertEquals(List.of("destroy KUBE-NODE-PORT-SCTP"), c.destroyAfter());
        assertTrue(IpsetDiff.diff(IpsetState.of(List.of(want)), IpsetState.of(List.of(want))).isEmpty());
    }

    private static VirtualServer vs(String ip, Protocol p, int port) {
        return new VirtualServer(Addresses.parseIp(ip), p, port, "rr", 0, 0, 0xffffffff);
    }

    private static IpvsState state(VirtualServer vs, List<RealServer> dests) {
        return new IpvsState(new TreeMap<>(Map.of(vs.key(), vs)), Map.of(vs.key(), dests), Set.of(vs.address()));
    }
}
