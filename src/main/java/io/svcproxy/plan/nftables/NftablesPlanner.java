package io.svcproxy.plan.nftables;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.Warning;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Snapshot -> the desired kube-proxy table of each family, rule-compatible with kube-proxy v1.36's
 * nftables mode. Pure and deterministic: fixed objects first in kube-proxy's creation order, then
 * each service port's objects in service-port name order. {@link #replan} re-plans only the named
 * service ports and reuses the rest.
 */
public final class NftablesPlanner {
    private NftablesPlanner() {
    }

    public static NftablesPlan plan(ClusterSnapshot snapshot, List<NftablesOptions> families) {
        return new NftablesPlan(families.stream().map(o -> planFamily(snapshot, o)).toList());
    }

    public static NftablesFamilyPlan planFamily(ClusterSnapshot snapshot, NftablesOptions opts) {
        ServicePortNftPlanner planner = new ServicePortNftPlanner(opts);
        SortedMap<ServicePortName, ServicePortObjects> services = new TreeMap<>();
        SortedMap<ServicePortName, Warning> skipped = new TreeMap<>();
        for (ServicePort svc : snapshot.services().values()) {
            planOne(planner, svc, snapshot, services, skipped);
        }
        return assemble(opts, services, skipped);
    }

    /**
     * The plan of {@code snapshot} given the previous plan (same options) and the service ports whose
     * service or endpoints changed since: only those are planned again.
     */
    public static NftablesFamilyPlan replan(NftablesFamilyPlan previous, ClusterSnapshot snapshot,
                                            Collection<ServicePortName> changed) {
        NftablesOptions opts = previous.options();
        ServicePortNftPlanner planner = new ServicePortNftPlanner(opts);
        SortedMap<ServicePortName, ServicePortObjects> services = new TreeMap<>(previous.services());
        SortedMap<ServicePortName, Warning> skipped = new TreeMap<>(previous.skipped());
        for (ServicePortName name : changed) {
            services.remove(name);
            skipped.remove(name);
            ServicePort svc = snapshot.services().get(name);
            if (svc != null) {
                planOne(planner, svc, snapshot, services, skipped);
            }
        }
        return assemble(opts, services, skipped);
    }

    /**
     * What {@link #replan} gives, built by patching the previous table instead of assembling all
     * of it: the changed service ports' chains and sets replaced, their elements of the shared sets
     * taken out and put in (the winner of a key several services add looked up in {@code owners},
     * which is updated). The cost is the change plus a copy of the table's maps; the scope names
     * everything that may differ from the previous table, for {@code NftDiff}.
     */
    static Patched patch(NftablesFamilyPlan previous, ClusterSnapshot snapshot, Collection<ServicePortName> changed,
                         SharedElementOwners owners) {
        NftablesOptions opts = previous.options();
        ServicePortNftPlanner planner = new ServicePortNftPlanner(opts);
        SortedMap<ServicePortName, ServicePortObjects> services = new TreeMap<>(previous.services());
        SortedMap<ServicePortName, Warning> skipped = new TreeMap<>(previous.skipped());
        Map<String, NftChain> putChains = new LinkedHashMap<>();
        java.util.Set<String> removeChains = new java.util.HashSet<>();
        Map<String, NftSet> putSets = new LinkedHashMap<>();
        java.util.Set<String> removeSets = new java.util.HashSet<>();
        java.util.Set<String> touchedChains = new java.util.LinkedHashSet<>();
        java.util.Set<String> touchedSets = new java.util.LinkedHashSet<>();
        Map<String, java.util.Set<io.svcproxy.nftables.Bytes>> touchedKeys = new LinkedHashMap<>();
        for (ServicePortName name : changed) {
            ServicePortObjects old = services.remove(name);
            skipped.remove(name);
            if (old != null) {
                old.chains().keySet().forEach(c -> {
                    putChains.remove(c);
                    removeChains.add(c);
                    touchedChains.add(c);
                });
                old.sets().keySet().forEach(x -> {
                    putSets.remove(x);
                    removeSets.add(x);
                    touchedSets.add(x);
                });
                owners.remove(name, old);
                old.elements().forEach((set, els) -> els.forEach(e ->
                        touchedKeys.computeIfAbsent(set, k -> new java.util.HashSet<>()).add(e.key())));
            }
            ServicePort svc = snapshot.services().get(name);
            if (svc != null) {
                planOne(planner, svc, snapshot, services, skipped);
            }
            ServicePortObjects now = services.get(name);
            if (now != null) {
                putChains.putAll(now.chains());
                touchedChains.addAll(now.chains().keySet());
                putSets.putAll(now.sets());
                touchedSets.addAll(now.sets().keySet());
                owners.add(name, now);
                now.elements().forEach((set, els) -> els.forEach(e ->
                        touchedKeys.computeIfAbsent(set, k -> new java.util.HashSet<>()).add(e.key())));
            }
        }
        touchedKeys.forEach((set, keys) -> {
            NftSet current = previous.table().sets().get(set);
            if (current == null) {
                throw new IllegalStateException("elements for unknown set " + set);
            }
            List<io.svcproxy.nftables.Bytes> remove = new ArrayList<>();
            List<NftElement> put = new ArrayList<>();
            for (io.svcproxy.nftables.Bytes key : keys) {
                NftElement winner = owners.winner(set, key);
                if (winner == null) {
                    remove.add(key);
                } else {
                    put.add(winner);
                }
            }
            putSets.put(set, current.patched(remove, put));
        });
        NftTable table = previous.table().withChanges(putChains, removeChains, putSets, removeSets);
        return new Patched(new NftablesFamilyPlan(opts, table, services, skipped),
                new io.svcproxy.nftables.NftScope(touchedChains, touchedSets, touchedKeys));
    }

    /** A patched plan and what may differ in it from the previous one. */
    record Patched(NftablesFamilyPlan plan, io.svcproxy.nftables.NftScope scope) {
    }

    private static void planOne(ServicePortNftPlanner planner, ServicePort svc, ClusterSnapshot snapshot,
                                SortedMap<ServicePortName, ServicePortObjects> services,
                                SortedMap<ServicePortName, Warning> skipped) {
        ServicePortName name = svc.name();
        if (!NftNames.safe(name)) {
            skipped.put(name, new Warning("Service", Addresses.printable(
                    name.namespace() + "/" + name.name()), "spec.ports",
                    "name, namespace or port name is not a DNS label; not programmed in nftables mode"));
            return;
        }
        ServicePortObjects objs = planner.plan(svc, snapshot.endpointsOf(name));
        if (objs != null) {
            services.put(name, objs);
        }
    }

    /** Joins the fixed objects and every service port's pieces into the table. */
    static NftablesFamilyPlan assemble(NftablesOptions opts, SortedMap<ServicePortName, ServicePortObjects> services,
                                       SortedMap<ServicePortName, Warning> skipped) {
        NftFixedObjects fixed = new NftFixedObjects(opts);
        Map<String, NftSet> fixedSets = fixed.sets();
        Map<String, List<NftElement>> elements = new LinkedHashMap<>();
        fixedSets.forEach((name, set) -> elements.put(name, new ArrayList<>(set.elements())));
        Map<String, NftSet> serviceSets = new LinkedHashMap<>();
        Map<String, NftChain> chains = new LinkedHashMap<>(fixed.chains());
        for (ServicePortObjects objs : services.values()) {
            objs.elements().forEach((set, els) -> {
                List<NftElement> target = elements.get(set);
                if (target == null) {
                    throw new IllegalStateException(objs.name() + ": elements for unknown set " + set);
                }
                target.addAll(els);
            });
            serviceSets.putAll(objs.sets());
            chains.putAll(objs.chains());
        }
        Map<String, NftSet> sets = new LinkedHashMap<>();
        fixedSets.forEach((name, set) -> sets.put(name, set.withElements(distinctKeys(elements.get(name)))));
        sets.putAll(serviceSets);
        NftTable table = new NftTable(NftFamily.of(opts.family()), NftNames.TABLE, NftNames.TABLE_COMMENT, chains,
                sets);
        return new NftablesFamilyPlan(opts, table, services, skipped);
    }

    /**
     * Two service ports may add the same key (hairpin-connections: the same pod port behind two
     * services; a duplicated address): one element per key, the first (in service order) wins.
     */
    private static List<NftElement> distinctKeys(List<NftElement> els) {
        Map<Bytes, NftElement> byKey = new LinkedHashMap<>();
        for (NftElement e : els) {
            byKey.putIfAbsent(e.key(), e);
        }
        return new ArrayList<>(byKey.values());
    }
}
