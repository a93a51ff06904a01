package io.svcproxy.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable view of the desired state, as the source read it: service ports (sorted by name,
 * so everything downstream is deterministic), the endpoints of each port (sorted by endpoint
 * string, de-duplicated), this node, and the warnings about what was skipped.
 */
public record ClusterSnapshot(SortedMap<ServicePortName, ServicePort> services,
                              Map<ServicePortName, List<Endpoint>> endpoints,
                              Optional<NodeInfo> node,
                              List<Warning> warnings) {

    public ClusterSnapshot {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        TreeMap<ServicePortName, List<Endpoint>> eps = new TreeMap<>();
        endpoints.forEach((k, v) -> eps.put(k, v.stream().sorted().distinct().toList()));
        endpoints = Collections.unmodifiableMap(eps);
        warnings = List.copyOf(warnings);
    }

    public static ClusterSnapshot empty() {
        return new ClusterSnapshot(new TreeMap<>(), Map.of(), Optional.empty(), List.of());
    }

    public List<Endpoint> endpointsOf(ServicePortName name) {
        return endpoints.getOrDefault(name, List.of());
    }
}
