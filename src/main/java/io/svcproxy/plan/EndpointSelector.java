package io.svcproxy.plan;

import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;

import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Picks the endpoints each traffic policy may use, with kube-proxy's rules: ready endpoints first,
 * serving-but-terminating ones only when no ready one is left; topology hints (same node, then same
 * zone) honoured only when every ready endpoint carries them and one matches this node.
 */
public final class EndpointSelector {
    private EndpointSelector() {
    }

    public static EndpointSelection select(ServicePort svc, List<Endpoint> endpoints, IpFamily family,
                                           String hostname, String zone) {
        List<Endpoint> cluster = List.of();
        boolean any = false;
        if (svc.usesClusterEndpoints(family)) {
            Predicate<Endpoint> topology = topologyFilter(endpoints, hostname, zone);
            cluster = filter(endpoints, ep -> ep.ready() && topology.test(ep));
            if (cluster.isEmpty()) {
                cluster = filter(endpoints, ep -> ep.serving() && ep.terminating() && topology.test(ep));
            }
            any = !cluster.isEmpty();
        }
        if (!svc.usesLocalEndpoints(family)) {
            return new EndpointSelection(cluster, List.of(), cluster, any);
        }

        boolean localReady = false;
        boolean localTerminating = false;
        for (Endpoint ep : endpoints) {
            if (ep.ready()) {
                any = true;
                localReady |= ep.isLocal(hostname);
            } else if (ep.serving() && ep.terminating()) {
                any = true;
                localTerminating |= ep.isLocal(hostname);
            }
        }
        List<Endpoint> local = List.of();
        if (localReady) {
            local = filter(endpoints, ep -> ep.isLocal(hostname) && ep.ready());
        } else if (localTerminating) {
            local = filter(endpoints, ep -> ep.isLocal(hostname) && ep.serving() && ep.terminating());
        }
        if (!svc.usesClusterEndpoints(family) || local.isEmpty()) {
            List<Endpoint> reachable = svc.usesClusterEndpoints(family) ? cluster : local;
            return new EndpointSelection(cluster, local, reachable, any);
        }
        TreeSet<Endpoint> union = new TreeSet<>(cluster);
        union.addAll(local);
        return new EndpointSelection(cluster, local, List.copyOf(union), any);
    }

    /** kube-proxy's topologyModeFromHints + availableForTopology, as one predicate. */
    private static Predicate<Endpoint> topologyFilter(List<Endpoint> endpoints, String hostname, String zone) {
        boolean allNodeHints = true;
        boolean nodeMatch = false;
        boolean allZoneHints = true;
        boolean zoneMatch = false;
        boolean sawReady = false;
        for (Endpoint ep : endpoints) {
            if (!ep.ready()) {
                continue;
            }
            sawReady = true;
            if (ep.nodeHints().isEmpty()) {
                allNodeHints = false;
            } else if (ep.nodeHints().contains(hostname)) {
                nodeMatch = true;
            }
            if (ep.zoneHints().isEmpty()) {
                allZoneHints = false;
            } else if (ep.zoneHints().contains(zone)) {
                zoneMatch = true;
            }
        }
        if (!sawReady) {
            return ep -> true;
        }
        if (allNodeHints && nodeMatch) {
            return ep -> ep.nodeHints().contains(hostname);
        }
        if (allZoneHints && zoneMatch && !zone.isEmpty()) {
            return ep -> ep.zoneHints().contains(zone);
        }
        return ep -> true;
    }

    private static List<Endpoint> filter(List<Endpoint> endpoints, Predicate<Endpoint> keep) {
        return endpoints.stream().filter(keep).sorted().toList();
    }
}
