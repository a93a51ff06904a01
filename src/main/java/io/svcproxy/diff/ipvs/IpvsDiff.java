package io.svcproxy.diff.ipvs;

import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.Protocol;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * (actual IPVS state, desired IPVS state, drain state) -> the ordered operations that turn one into
 * the other: unbind stale addresses, remove stale destinations (TCP/SCTP with live connections are
 * drained first: weight 0, deleted once their connections are gone or the drain bound has passed;
 * UDP ones are deleted at once and reported for conntrack cleanup), delete stale services,
 * add/update services, add/update destinations, bind new addresses. Pure.
 *
 * <p>Only our services are deleted: those on an address bound on kube-ipvs0 (now or in the plan), on
 * a node address (NodePorts) or on an address the plan uses, and never one inside excludeCIDRs.
 * kube-proxy deletes every service of its family outside excludeCIDRs; svcproxy is narrower so that
 * IPVS services another tool made on other addresses survive.
 */
public final class IpvsDiff {
    /** kube-proxy's former rsGracefulDeletePeriod: a drained destination is deleted after this at the latest. */
    public static final Duration DEFAULT_DRAIN_BOUND = Duration.ofMinutes(15);

    /**
     * What is ours besides the plan, and how long to drain.
     *
     * @param nodeAddresses the node's own addresses (NodePort services live on them)
     * @param excludeCidrs  ipvs.excludeCIDRs: services there are never deleted
     * @param drainBound    a draining destination is deleted after this long even with connections left
     */
    public record Scope(Set<InetAddress> nodeAddresses, List<Cidr> excludeCidrs, Duration drainBound) {
        public Scope {
            nodeAddresses = Set.copyOf(nodeAddresses);
            excludeCidrs = List.copyOf(excludeCidrs);
            Objects.requireNonNull(drainBound, "drainBound");
        }

        public static Scope defaults() {
            return new Scope(Set.of(), List.of(), DEFAULT_DRAIN_BOUND);
        }
    }

    private IpvsDiff() {
    }

    public static IpvsChanges diff(IpvsState actual, IpvsState desired, DrainState drain, Scope scope, long nowMillis) {
        List<IpvsOp> unbind = new ArrayList<>();
        List<IpvsOp> removeDests = new ArrayList<>();
        List<IpvsOp> deleteServices = new ArrayList<>();
        List<IpvsOp> upsertServices = new ArrayList<>();
        List<IpvsOp> upsertDests = new ArrayList<>();
        List<IpvsOp> bind = new ArrayList<>();
        Map<String, Long> nextDrain = new TreeMap<>();
        List<IpvsChanges.StaleUdpDestination> udp = new ArrayList<>();

        Set<String> desiredBound = texts(desired.boundAddresses());
        Set<String> actualBound = texts(actual.boundAddresses());
        for (InetAddress a : sorted(actual.boundAddresses())) {
            if (!desiredBound.contains(Addresses.format(a))) {
                unbind.add(new IpvsOp.UnbindAddress(a));
            }
        }

        Set<String> ours = new HashSet<>(actualBound);
        ours.addAll(desiredBound);
        ours.addAll(texts(scope.nodeAddresses()));
        desired.services().keySet().forEach(k -> ours.add(Addresses.format(k.address())));

        for (VirtualServer.Key key : actual.services().keySet()) {
            VirtualServer want = desired.services().get(key);
            if (want == null) {
                if (ours.contains(Addresses.format(key.address()))
                        && scope.excludeCidrs().stream().noneMatch(c -> c.contains(key.address()))) {
                    deleteServices.add(new IpvsOp.DeleteService(key));
                    if (key.protocol() == Protocol.UDP) {
                        actual.destinationsOf(key).forEach(rs -> udp.add(new IpvsChanges.StaleUdpDestination(key, rs)));
                    }
                }
                continue;
            }
            Map<String, RealServer> wanted = byKey(desired.destinationsOf(key));
            for (RealServer rs : sortedDests(actual.destinationsOf(key))) {
                if (wanted.containsKey(rs.key())) {
                    continue;
                }
                String id = DrainState.id(key, rs);
                long conns = (long) rs.activeConnections() + rs.inactiveConnections();
                if (key.protocol() == Protocol.UDP) {
                    removeDests.add(new IpvsOp.DeleteDestination(key, rs));
                    udp.add(new IpvsChanges.StaleUdpDestination(key, rs));
                } else if (conns == 0) {
                    removeDests.add(new IpvsOp.DeleteDestination(key, rs));
                } else if (rs.weight() == 0 || drain.since().containsKey(id)) {
                    long since = drain.since().getOrDefault(id, nowMillis);
                    if (nowMillis - since >= scope.drainBound().toMillis()) {
                        removeDests.add(new IpvsOp.DeleteDestination(key, rs));
                    } else {
                        nextDrain.put(id, since);
                    }
                } else {
                    removeDests.add(new IpvsOp.UpdateDestination(key,
                            new RealServer(rs.address(), rs.port(), 0, rs.activeConnections(), rs.inactiveConnections())));
                    nextDrain.put(id, nowMillis);
                }
            }
        }

        for (VirtualServer want : desired.services().values()) {
            VirtualServer have = actual.services().get(want.key());
            if (have == null) {
                upsertServices.add(new IpvsOp.AddService(want));
            } else if (!sameSettings(have, want)) {
                upsertServices.add(new IpvsOp.UpdateService(want));
            }
            Map<String, RealServer> current = have == null ? Map.of() : byKey(actual.destinationsOf(want.key()));
            for (RealServer rs : sortedDests(desired.destinationsOf(want.key()))) {
                RealServer cur = current.get(rs.key());
                if (cur == null) {
                    upsertDests.add(new IpvsOp.AddDestination(want.key(), rs));
                } else if (cur.weight() != rs.weight()) {
                    // a draining endpoint that is back, or a weight left by an earlier run: restore it
                    upsertDests.add(new IpvsOp.UpdateDestination(want.key(), rs));
                }
            }
        }

        for (InetAddress a : sorted(desired.boundAddresses())) {
            if (!actualBound.contains(Addresses.format(a))) {
                bind.add(new IpvsOp.BindAddress(a));
            }
        }

        List<IpvsOp> ops = new ArrayList<>();
        ops.addAll(unbind);
        ops.addAll(removeDests);
        ops.addAll(deleteServices);
        ops.addAll(upsertServices);
        ops.addAll(upsertDests);
        ops.addAll(bind);
        return new IpvsChanges(ops, DrainState.of(nextDrain), udp);
    }

    /** What kube-proxy compares (VirtualServer.Equal): scheduler, flags (less the kernel's hashed bit), timeout. */
    public static boolean sameSettings(VirtualServer a, VirtualServer b) {
        return a.scheduler().equals(b.scheduler()) && (a.flags() & ~0x2) == (b.flags() & ~0x2)
                && a.timeoutSeconds() == b.timeoutSeconds();
    }

    /** One kernel state from the per-family plans (IPVS is one table for both families). */
    public static IpvsState merge(IpvsState a, IpvsState b) {
        TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>(a.services());
        Map<VirtualServer.Key, List<RealServer>> dests = new HashMap<>(a.destinations());
        for (VirtualServer vs : b.services().values()) {
            if (services.putIfAbsent(vs.key(), vs) == null) {
                dests.put(vs.key(), b.destinationsOf(vs.key()));
            }
        }
        Set<InetAddress> bound = new HashSet<>(a.boundAddresses());
        bound.addAll(b.boundAddresses());
        return new IpvsState(services, dests, bound);
    }

    private static Map<String, RealServer> byKey(List<RealServer> list) {
        Map<String, RealServer> out = new LinkedHashMap<>();
        for (RealServer rs : list) {
            out.put(rs.key(), rs);
        }
        return out;
    }

    private static List<RealServer> sortedDests(List<RealServer> list) {
        List<RealServer> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparing(RealServer::key));
        return copy;
    }

    private static List<InetAddress> sorted(Set<InetAddress> addresses) {
        List<InetAddress> out = new ArrayList<>(addresses);
        out.sort(Comparator.comparing(Addresses::format));
        return out;
    }

    private static Set<String> texts(Set<InetAddress> addresses) {
        Set<String> out = new HashSet<>();
        addresses.forEach(a -> out.add(Addresses.format(a)));
        return out;
    }
}
