package io.svcproxy.model;

import java.util.AbstractList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable view of the desired state, as the source read it: service ports (sorted by name,
 * so everything downstream is deterministic), the endpoints of each port (sorted by endpoint
 * string, de-duplicated), this node, the warnings about what was skipped, and the service CIDRs
 * (of the ServiceCIDR objects, both families, sorted by {@link Cidr#ORDER}, de-duplicated; only
 * nftables mode uses them).
 */
public record ClusterSnapshot(SortedMap<ServicePortName, ServicePort> services,
                              Map<ServicePortName, List<Endpoint>> endpoints,
                              Optional<NodeInfo> node,
                              List<Warning> warnings,
                              List<Cidr> serviceCidrs) {

    /** A snapshot without service CIDRs (a cluster without ServiceCIDR objects, or a source that reads none). */
    public ClusterSnapshot(SortedMap<ServicePortName, ServicePort> services,
                           Map<ServicePortName, List<Endpoint>> endpoints,
                           Optional<NodeInfo> node,
                           List<Warning> warnings) {
        this(services, endpoints, node, warnings, List.of());
    }

    public ClusterSnapshot {
        // An immutable sorted map (the source builds one) is kept as it is; anything else is copied.
        services = services instanceof SortedArrayMap<ServicePortName, ServicePort> kept ? kept
                : Collections.unmodifiableSortedMap(new TreeMap<>(services));
        if (!(endpoints instanceof SortedArrayMap<ServicePortName, List<Endpoint>> sortedArray
                && sortedArray.valueList().stream().allMatch(ClusterSnapshot::isSortedEndpoints))) {
            // From a sorted map (another snapshot's) the copy is linear, not a tree insertion per entry.
            TreeMap<ServicePortName, List<Endpoint>> eps = endpoints instanceof SortedMap<ServicePortName, List<Endpoint>> sorted
                    && sorted.comparator() == null ? new TreeMap<>(sorted) : new TreeMap<>(endpoints);
            eps.replaceAll((k, v) -> sortedEndpoints(v));
            endpoints = Collections.unmodifiableSortedMap(eps);
        }
        warnings = List.copyOf(warnings);
        serviceCidrs = serviceCidrs.stream().sorted(Cidr.ORDER).distinct().toList();
    }

    /**
     * Endpoints sorted by endpoint string and de-duplicated, as a snapshot holds them. A snapshot keeps
     * such a list as it is (the same object), so a snapshot derived from another one does not sort,
     * or even compare, the endpoints of services that did not change, and a planner can tell an
     * unchanged service's endpoints by identity.
     */
    public static List<Endpoint> sortedEndpoints(Collection<Endpoint> endpoints) {
        if (endpoints instanceof SortedEndpoints sorted) {
            return sorted;
        }
        return new SortedEndpoints(endpoints.stream().sorted().distinct().toArray(Endpoint[]::new));
    }

    private static boolean isSortedEndpoints(List<Endpoint> list) {
        return list instanceof SortedEndpoints;
    }

    /** An immutable list known to be sorted and distinct (see {@link #sortedEndpoints}). */
    private static final class SortedEndpoints extends AbstractList<Endpoint> implements RandomAccess {
        private final Endpoint[] items;

        SortedEndpoints(Endpoint[] items) {
            this.items = items;
        }

        @Override
        public Endpoint get(int index) {
            return items[index];
        }

        @Override
        public int size() {
            return items.length;
        }
    }

    public static ClusterSnapshot empty() {
        return new ClusterSnapshot(new TreeMap<>(), Map.of(), Optional.empty(), List.of());
    }

    public List<Endpoint> endpointsOf(ServicePortName name) {
        return endpoints.getOrDefault(name, List.of());
    }
}
