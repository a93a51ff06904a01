package io.svcproxy.plan;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which UDP conntrack entries went stale between two snapshots, with kube-proxy's rules. UDP has no
 * connection teardown, so an entry keeps steering a client's packets along the old path until it
 * times out; these filters delete them.
 * <ul>
 *   <li>A UDP service port that had no usable endpoints and now has some: entries to its service
 *       IPs (cluster, external, load-balancer, with the port) and to its NodePort were created
 *       while nothing DNATed them (traffic was rejected) and would keep bypassing the new rules.</li>
 *   <li>A UDP endpoint that was used and no longer is (removed, not ready any more and not a
 *       terminating fallback): entries to the service IPs or NodePort whose reply comes from that
 *       endpoint IP would keep sending to a dead backend.</li>
 * </ul>
 * "Usable"/"used" is {@link EndpointSelector}'s reachable set for this node, so the rules follow
 * exactly what the iptables rules DNAT to. TCP and SCTP are left alone, as kube-proxy does.
 */
public final class StaleConntrackPlanner {
    private StaleConntrackPlanner() {
    }

    /** Filters for {@code opts.family()}, deterministic (services in name order, endpoints in IP order). */
    public static List<ConntrackFilter> plan(ClusterSnapshot previous, ClusterSnapshot current, PlannerOptions opts) {
        IpFamily family = opts.family();
        Set<ConntrackFilter> out = new LinkedHashSet<>();
        TreeSet<ServicePortName> names = new TreeSet<>();
        previous.services().keySet().stream().filter(n -> n.protocol() == Protocol.UDP).forEach(names::add);
        current.services().keySet().stream().filter(n -> n.protocol() == Protocol.UDP).forEach(names::add);
        for (ServicePortName name : names) {
            if (unchanged(name, previous, current)) {
                continue;   // same service, same endpoints: the same endpoints are used, nothing went stale
            }
            ServicePort before = usable(previous.services().get(name), family);
            ServicePort after = usable(current.services().get(name), family);
            Set<InetAddress> usedBefore = usedEndpointIPs(before, previous, opts);
            Set<InetAddress> usedAfter = usedEndpointIPs(after, current, opts);

            if (after != null && usedBefore.isEmpty() && !usedAfter.isEmpty()) {
                for (InetAddress ip : serviceIPs(List.of(after), family)) {
                    out.add(new ConntrackFilter(family, Protocol.UDP, ip, after.port(), null));
                }
                if (after.nodePort() != 0) {
                    out.add(new ConntrackFilter(family, Protocol.UDP, null, after.nodePort(), null));
                }
            }

            List<ServicePort> versions = new ArrayList<>();
            if (before != null) {
                versions.add(before);
            }
            if (after != null) {
                versions.add(after);
            }
            for (InetAddress endpointIP : usedBefore) {
                if (usedAfter.contains(endpointIP)) {
                    continue;
                }
                // Entries were made through the old definition; a changed service may also have new IPs.
                for (ServicePort svc : versions) {
                    for (InetAddress ip : serviceIPs(List.of(svc), family)) {
                        out.add(new ConntrackFilter(family, Protocol.UDP, ip, svc.port(), endpointIP));
                    }
                    if (svc.nodePort() != 0) {
                        out.add(new ConntrackFilter(family, Protocol.UDP, null, svc.nodePort(), endpointIP));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static boolean unchanged(ServicePortName name, ClusterSnapshot previous, ClusterSnapshot current) {
        ServicePort before = previous.services().get(name);
        ServicePort after = current.services().get(name);
        List<Endpoint> epsBefore = previous.endpointsOf(name);
        List<Endpoint> epsAfter = current.endpointsOf(name);
        return before != null && after != null && (before == after || before.equals(after))
                && (epsBefore == epsAfter || epsBefore.equals(epsAfter));
    }

    /** The service port if it exists in this family (the planner skips ports without a cluster IP of it). */
    private static ServicePort usable(ServicePort svc, IpFamily family) {
        return svc != null && svc.clusterIP(family) != null ? svc : null;
    }

    /** IPs of the endpoints the rules DNAT to, sorted by address text. */
    private static Set<InetAddress> usedEndpointIPs(ServicePort svc, ClusterSnapshot snapshot, PlannerOptions opts) {
        if (svc == null) {
            return Set.of();
        }
        List<Endpoint> endpoints = snapshot.endpointsOf(svc.name()).stream()
                .filter(ep -> ep.family() == opts.family()).toList();
        EndpointSelection sel = EndpointSelector.select(svc, endpoints, opts.family(), opts.hostname(), opts.zone());
        Set<InetAddress> ips = new LinkedHashSet<>();
        sel.reachable().stream().map(Endpoint::ip).sorted(Comparator.comparing(InetAddress::getHostAddress))
                .forEach(ips::add);
        return ips;
    }

    /** Cluster IP, external IPs and load-balancer IPs of this family, de-duplicated in that order. */
    private static Set<InetAddress> serviceIPs(List<ServicePort> versions, IpFamily family) {
        Set<InetAddress> ips = new LinkedHashSet<>();
        for (ServicePort svc : versions) {
            ips.add(svc.clusterIP(family));
            ips.addAll(svc.externalIPs(family));
            ips.addAll(svc.loadBalancerIPs(family));
        }
        return ips;
    }
}
