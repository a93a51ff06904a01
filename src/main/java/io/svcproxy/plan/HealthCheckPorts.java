package io.svcproxy.plan;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServiceName;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The health-check node ports this node must serve (spec.healthCheckNodePort of LoadBalancer services
 * with externalTrafficPolicy Local) and, for each, the service's local endpoint count as kube-proxy
 * reports it: the distinct IPs of ready endpoints on this node, over all ports of the service (so a pod
 * serving ports 80 and 443 counts once). With dual-stack endpoints the larger per-family count is used
 * (a pod has one IP per family).
 */
public final class HealthCheckPorts {
    /** One health-check node port: the service it answers for and its local ready endpoints. */
    public record Entry(ServiceName service, int localEndpoints) {
    }

    private HealthCheckPorts() {
    }

    /**
     * Port to service and local endpoint count. Two services claiming the same port (the API server
     * prevents it) resolve to the first by name, so the result is deterministic.
     */
    public static SortedMap<Integer, Entry> of(ClusterSnapshot snapshot, String hostname) {
        Map<ServiceName, Integer> ports = new TreeMap<>();
        for (ServicePort sp : snapshot.services().values()) {
            if (sp.healthCheckNodePort() != 0) {
                ports.putIfAbsent(sp.name().service(), sp.healthCheckNodePort());
            }
        }
        Map<ServiceName, Map<IpFamily, Set<InetAddress>>> localIPs = new TreeMap<>();
        snapshot.endpoints().forEach((ServicePortName name, List<Endpoint> eps) -> {
            if (!ports.containsKey(name.service())) {
                return;
            }
            for (Endpoint ep : eps) {
                if (ep.ready() && ep.isLocal(hostname)) {
                    localIPs.computeIfAbsent(name.service(), k -> new EnumMap<>(IpFamily.class))
                            .computeIfAbsent(ep.family(), k -> new HashSet<>()).add(ep.ip());
                }
            }
        });
        SortedMap<Integer, Entry> result = new TreeMap<>();
        ports.forEach((service, port) -> {
            int count = localIPs.getOrDefault(service, Map.of()).values().stream()
                    .mapToInt(Set::size).max().orElse(0);
            result.putIfAbsent(port, new Entry(service, count));
        });
        return result;
    }

    /**
     * kubeproxy_sync_proxy_rules_no_local_endpoints_total for one family: service ports of that family
     * with a Local traffic policy and no local endpoint to send that traffic to (ready, else serving and
     * terminating, as the planner falls back), by policy: "internal" and "external".
     */
    public static Map<String, Integer> noLocalEndpoints(ClusterSnapshot snapshot, String hostname, IpFamily family) {
        int internal = 0;
        int external = 0;
        for (ServicePort sp : snapshot.services().values()) {
            if (sp.clusterIP(family) == null) {
                continue;
            }
            boolean anyLocal = false;
            for (Endpoint ep : snapshot.endpointsOf(sp.name())) {
                if (ep.family() == family && ep.isLocal(hostname)
                        && (ep.ready() || (ep.serving() && ep.terminating()))) {
                    anyLocal = true;
                    break;
                }
            }
            if (anyLocal) {
                continue;
            }
            if (sp.internalPolicyLocal()) {
                internal++;
            }
            if (sp.externalPolicyLocal() && sp.externallyAccessible(family)) {
                external++;
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        counts.put("internal", internal);
        counts.put("external", external);
        return counts;
    }
}
