package io.svcproxy.diff.ipvs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The IPVS diff against the kernel-semantics simulator, on random actual/desired states. */
class IpvsDiffProperties {
    private static final long NOW = 1_000_000L;

    @Property(tries = 300)
    void applyingTheOpsYieldsTheDesiredStateModuloDraining(@ForAll("states") IpvsState actual,
                                                           @ForAll("states") IpvsState desired) {
        IpvsChanges changes = IpvsDiff.diff(actual, desired, DrainState.empty(), IpvsDiff.Scope.defaults(), NOW);
        IpvsSimulator sim = new IpvsSimulator(actual);
        sim.applyAll(changes.ops()); // throws on EEXIST/ENOENT: the ops must be valid in order
        IpvsState after = sim.state();

        assertEquals(expectedKeys(desired, actual), after.services().keySet());
        for (VirtualServer want : desired.services().values()) {
            VirtualServer got = after.services().get(want.key());
            assertTrue(IpvsDiff.sameSettings(got, want), "settings of " + want.key());
            Map<String, RealServer> gotDests = byKey(after.destinationsOf(want.key()));
            for (RealServer rs : desired.destinationsOf(want.key())) {
                assertEquals(rs.weight(), gotDests.get(rs.key()).weight(), "weight of " + rs.key());
            }
            Set<String> extra = new HashSet<>(gotDests.keySet());
            desired.destinationsOf(want.key()).forEach(rs -> extra.remove(rs.key()));
            for (String e : extra) {
                assertEquals(0, gotDests.get(e).weight(), "a leftover destination is draining: " + e);
                assertTrue(changes.drain().since().containsKey(want.key() + "/" + e), "tracked: " + e);
            }
        }
        assertEquals(texts(desired.boundAddresses()), texts(after.boundAddresses()));
    }

    @Property(tries = 200)
    void diffOfAStateWithItselfIsEmpty(@ForAll("states") IpvsState state) {
        IpvsState clean = withoutDraining(state);
        assertTrue(IpvsDiff.diff(clean, clean, DrainState.empty(), IpvsDiff.Scope.defaults(), NOW).isEmpty());
    }

    @Property(tries = 100)
    void aSecondDiffAfterApplyingOnlyContinuesDraining(@ForAll("states") IpvsState actual,
                                                      @ForAll("states") IpvsState desired) {
        IpvsChanges first = IpvsDiff.diff(actual, desired, DrainState.empty(), IpvsDiff.Scope.defaults(), NOW);
        IpvsSimulator sim = new IpvsSimulator(actual);
        sim.applyAll(first.ops());
        IpvsChanges second = IpvsDiff.diff(sim.state(), desired, first.drain(), IpvsDiff.Scope.defaults(), NOW + 1);
        assertTrue(second.ops().isEmpty(), "converged: " + second.ops());
        // after the bound every draining destination goes
        IpvsChanges late = IpvsDiff.diff(sim.state(), desired, second.drain(), IpvsDiff.Scope.defaults(),
                NOW + IpvsDiff.DEFAULT_DRAIN_BOUND.toMillis() + 1);
        assertTrue(late.ops().stream().allMatch(op -> op instanceof IpvsOp.DeleteDestination), late.ops().toString());
        assertTrue(late.drain().isEmpty());
        sim.applyAll(late.ops());
    }

    /**
     * Desired services, plus the actual ones on addresses that are not ours (not bound on kube-ipvs0
     * now or in the plan, not used by the plan): those the diff must leave alone.
     */
    private static Set<VirtualServer.Key> expectedKeys(IpvsState desired, IpvsState actual) {
        Set<String> ours = texts(actual.boundAddresses());
        ours.addAll(texts(desired.boundAddresses()));
        desired.services().keySet().forEach(k -> ours.add(Addresses.format(k.address())));
        Set<VirtualServer.Key> out = new java.util.TreeSet<>(desired.services().keySet());
        actual.services().keySet().stream().filter(k -> !ours.contains(Addresses.format(k.address())))
                .forEach(out::add);
        return out;
    }

    @Provide
    Arbitrary<IpvsState> states() {
        Arbitrary<VirtualServer> vs = Combinators.combine(
                Arbitraries.of("10.96.0.1", "10.96.0.2", "fd00::1", "192.168.56.11"),
                Arbitraries.of(Protocol.values()), Arbitraries.of(53, 80, 443),
                Arbitraries.of("rr", "wrr", "sh"), Arbitraries.of(0, 1), Arbitraries.of(0, 600))
                .as((ip, p, port, sched, persistent, timeout) -> new VirtualServer(Addresses.parseIp(ip), p, port, sched,
                        persistent == 1 ? 1 : 0, persistent == 1 ? timeout : 0, 0xffffffff));
        Arbitrary<RealServer> rs = Combinators.combine(
                Arbitraries.of("10.244.1.5", "10.244.2.6", "10.244.3.7", "fd00:10::5"),
                Arbitraries.of(8080, 9090), Arbitraries.of(0, 1, 1, 1), Arbitraries.of(0, 0, 3))
                .as((ip, port, weight, conns) -> new RealServer(Addresses.parseIp(ip), port, weight, conns, 0));
        return Combinators.combine(vs.list().ofMaxSize(5), rs.list().ofMaxSize(4).list().ofSize(5),
                        Arbitraries.of("10.96.0.1", "10.96.0.2", "fd00::1").set().ofMaxSize(3))
                .as((services, destLists, bound) -> {
                    TreeMap<VirtualServer.Key, VirtualServer> s = new TreeMap<>();
                    Map<VirtualServer.Key, List<RealServer>> d = new HashMap<>();
                    int i = 0;
                    for (VirtualServer v : services) {
                        if (s.putIfAbsent(v.key(), v) == null) {
                            Map<String, RealServer> uniq = new TreeMap<>();
                            destLists.get(i++).forEach(r -> uniq.putIfAbsent(r.key(), r));
                            d.put(v.key(), new ArrayList<>(uniq.values()));
                        }
                    }
                    Set<InetAddress> b = new HashSet<>();
                    bound.forEach(a -> b.add(Addresses.parseIp(a)));
                    return new IpvsState(s, d, b);
                });
    }

    private static IpvsState withoutDraining(IpvsState s) {
        Map<VirtualServer.Key, List<RealServer>> d = new HashMap<>();
        s.destinations().forEach((k, v) -> d.put(k, v.stream().filter(r -> r.weight() > 0).toList()));
        return new IpvsState(s.services(), d, s.boundAddresses());
    }

    private static Map<String, RealServer> byKey(List<RealServer> l) {
        Map<String, RealServer> m = new HashMap<>();
        l.forEach(r -> m.put(r.key(), r));
        return m;
    }

    private static Set<String> texts(Set<InetAddress> a) {
        Set<String> out = new HashSet<>();
        a.forEach(x -> out.add(Addresses.format(x)));
        return out;
    }
}
