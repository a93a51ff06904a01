package io.svcproxy.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
        endpoints.forEach((k, v) -> eps.put(k, sortedDistinct(v)));
        endpoints = Collections.unmodifiableMap(eps);
        warnings = List.copyOf(warnings);
    }

    /**
     * Sorted and de-duplicated; a list that already is (the common case: built from an earlier
     * snapshot) stays the same object, so a planner can tell an unchanged service by identity.
     */
    private static List<Endpoint> sortedDistinct(List<Endpoint> list) {
        for (int i = 1; i < list.size(); i++) {
            if (list.get(i - 1).compareTo(list.get(i)) >= 0) {
                return list.stream().sorted().distinct().collect(Collectors.toUnmodifiableList());
            }
        }
        return List.copyOf(list);
    }

    public static ClusterSnapshot empty() {
        return new ClusterSnapshot(new TreeMap<>(), Map.of(), Optional.empty(), List.of());
    }

    public List<Endpoint> endpointsOf(ServicePortName name) {
        return endpoints.getOrDefault(name, List.of());
    }
}
