package io.svcproxy.plan.nftables;

import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.Warning;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftTable;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The desired table of one family, with the per-service-port pieces it was assembled from (so a
 * diff can group changes by service, and a re-plan can reuse unchanged services' pieces), and the
 * service ports left out (with why).
 */
public record NftablesFamilyPlan(NftablesOptions options, NftTable table,
                                 SortedMap<ServicePortName, ServicePortObjects> services,
                                 SortedMap<ServicePortName, Warning> skipped) {
    public NftablesFamilyPlan {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        skipped = Collections.unmodifiableSortedMap(new TreeMap<>(skipped));
    }

    public List<Warning> warnings() {
        return List.copyOf(skipped.values());
    }

    /** The service port owning a chain or set (null for the fixed ones); a scan, for tools and tests. */
    public ServicePortName owner(String chainOrSet) {
        for (Map.Entry<ServicePortName, ServicePortObjects> e : services.entrySet()) {
            if (e.getValue().chains().containsKey(chainOrSet) || e.getValue().sets().containsKey(chainOrSet)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * Which service port each element of a shared set or map comes from, by key (for a key two
     * service ports both add, e.g. one pod port behind two services in hairpin-connections: the
     * first in name order, whose element the table holds).
     */
    public Map<Bytes, ServicePortName> elementOwners(String set) {
        Map<Bytes, ServicePortName> owners = new LinkedHashMap<>();
        services.forEach((name, objs) -> objs.elementsOf(set).forEach(e -> owners.putIfAbsent(e.key(), name)));
        return owners;
    }

    /**
     * The service ports whose objects differ from {@code previous}'s (added, removed or changed):
     * what a diff needs to look at besides the fixed objects. Unchanged objects are usually the
     * same instances (see {@link NftablesPlanner#replan}), which makes this cheap.
     */
    public SortedSet<ServicePortName> changedServices(NftablesFamilyPlan previous) {
        SortedSet<ServicePortName> changed = new TreeSet<>();
        services.forEach((name, objs) -> {
            ServicePortObjects before = previous.services().get(name);
            if (before != objs && !objs.equals(before)) {
                changed.add(name);
            }
        });
        previous.services().keySet().stream().filter(n -> !services.containsKey(n)).forEach(changed::add);
        return changed;
    }
}
