package io.svcproxy.plan;

import static io.svcproxy.plan.KubeChains.FILTER;
import static io.svcproxy.plan.KubeChains.FORWARD;
import static io.svcproxy.plan.KubeChains.NAT;
import static io.svcproxy.plan.KubeChains.SERVICES;

import io.svcproxy.iptables.Chain;
import io.svcproxy.model.PatchedMap;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The daemon's planner: the same plan as {@link IptablesPlanner#plan} (the property tests check it),
 * but a sync costs what changed. A service port whose inputs (its ServicePort, its endpoints) are
 * unchanged since the last plan is not rendered again, and its chains stay the same objects; the
 * plan is the previous one patched ({@link PatchedMap}), so the diff can find the changed chains
 * without comparing the others. Shared chains (KUBE-SERVICES, ...) are assembled again only when a
 * service's lines in them changed. Different planner options (they depend on the node) or a flip of
 * kube-proxy's large-cluster mode render everything again.
 *
 * <p>Holds the last plan's per-service results: one instance per family, used by one thread.
 */
public final class IncrementalIptablesPlanner {
    private PlannerOptions options;
    private boolean largeCluster;
    private IptablesPlan last;
    private final Map<ServicePortName, Rendered> rendered = new HashMap<>();
    /** The services that have rules, in name order: the order of their lines in the shared chains. */
    private final TreeMap<ServicePortName, ServiceRules> ordered = new TreeMap<>();

    /** One service port's inputs and what they rendered to (null: no cluster IP of this family). */
    private record Rendered(ServicePort svc, List<Endpoint> endpoints, int familyEndpoints, ServiceRules rules) {
    }

    public IptablesPlan plan(ClusterSnapshot snapshot, PlannerOptions opts) {
        IpFamily family = opts.family();
        List<ServicePort> changed = new ArrayList<>();
        int total = 0;
        // Services and endpoints are both sorted by name: walked side by side, not looked up one by
        // one (10,000 tree lookups cost more than the rest of an unchanged service's check).
        Iterator<Map.Entry<ServicePortName, List<Endpoint>>> endpoints = snapshot.endpoints().entrySet().iterator();
        Map.Entry<ServicePortName, List<Endpoint>> next = endpoints.hasNext() ? endpoints.next() : null;
        for (ServicePort svc : snapshot.services().values()) {
            while (next != null && next.getKey().compareTo(svc.name()) < 0) {
                next = endpoints.hasNext() ? endpoints.next() : null;
            }
            List<Endpoint> eps = next != null && next.getKey().equals(svc.name()) ? next.getValue() : List.of();
            Rendered r = rendered.get(svc.name());
            if (r != null && same(r.svc(), svc) && same(r.endpoints(), eps)) {
                total += r.familyEndpoints();
                if (r.svc() != svc || r.endpoints() != eps) {
                    // Equal values in new objects (a source that converted again): kept, so the next
                    // sync tells this service unchanged by identity instead of comparing it again.
                    rendered.put(svc.name(), new Rendered(svc, eps, r.familyEndpoints(), r.rules()));
                }
            } else {
                changed.add(svc);
                total += familyEndpoints(svc, eps, family);
            }
        }
        boolean large = total > opts.largeClusterEndpoints();
        if (last == null || large != largeCluster || !opts.equals(options)) {
            return renderAll(snapshot, opts, large);
        }
        if (changed.isEmpty() && rendered.size() == snapshot.services().size()) {
            return last;
        }
        return patch(snapshot, changed, opts, large);
    }

    private IptablesPlan renderAll(ClusterSnapshot snapshot, PlannerOptions opts, boolean large) {
        rendered.clear();
        ordered.clear();
        ServicePortRenderer renderer = new ServicePortRenderer(opts, large);
        for (ServicePort svc : snapshot.services().values()) {
            List<Endpoint> eps = snapshot.endpointsOf(svc.name());
            ServiceRules rules = renderer.render(svc, eps);
            rendered.put(svc.name(), new Rendered(svc, eps, familyEndpoints(svc, eps, opts.family()), rules));
            if (rules != null) {
                ordered.put(svc.name(), rules);
            }
        }
        options = opts;
        largeCluster = large;
        last = IptablesPlanner.assemble(new ArrayList<>(ordered.values()), opts);
        return last;
    }

    private IptablesPlan patch(ClusterSnapshot snapshot, List<ServicePort> changed, PlannerOptions opts, boolean large) {
        ServicePortRenderer renderer = new ServicePortRenderer(opts, large);
        List<ServiceRules> before = new ArrayList<>();
        List<ServiceRules> after = new ArrayList<>();
        for (ServicePort svc : changed) {
            List<Endpoint> eps = snapshot.endpointsOf(svc.name());
            ServiceRules now = renderer.render(svc, eps);
            Rendered old = rendered.put(svc.name(), new Rendered(svc, eps, familyEndpoints(svc, eps, opts.family()), now));
            before.add(old == null ? null : old.rules());
            after.add(now);
        }
        if (rendered.size() > snapshot.services().size()) {
            for (Iterator<Map.Entry<ServicePortName, Rendered>> it = rendered.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<ServicePortName, Rendered> e = it.next();
                if (!snapshot.services().containsKey(e.getKey())) {
                    before.add(e.getValue().rules());
                    after.add(null);
                    it.remove();
                }
            }
        }

        Table nat = last.desired().table(NAT);
        Table filter = last.desired().table(FILTER);
        Set<String> natRemoved = new LinkedHashSet<>();
        Map<String, Chain> natPut = new LinkedHashMap<>();
        Map<String, ServicePortName> ownerPut = new LinkedHashMap<>();
        Set<String> dirtyNat = new HashSet<>();
        Set<String> dirtyFilter = new HashSet<>();
        // Removals first: a chain another changed service now owns is put back below.
        for (int i = 0; i < before.size(); i++) {
            Map<String, List<String>> old = chainsOf(before.get(i));
            Map<String, List<String>> now = chainsOf(after.get(i));
            old.keySet().stream().filter(c -> !now.containsKey(c)).forEach(natRemoved::add);
        }
        for (int i = 0; i < before.size(); i++) {
            ServiceRules old = before.get(i);
            ServiceRules now = after.get(i);
            chainsOf(now).forEach((name, rules) -> {
                Chain current = nat.chain(name);
                if (current == null || natRemoved.contains(name) || !current.rules().equals(rules)) {
                    natPut.put(name, Chain.user(name, rules));
                    ownerPut.put(name, now.name());
                }
            });
            dirty(old == null ? Map.of() : old.natShared(), now == null ? Map.of() : now.natShared(), dirtyNat);
            dirty(old == null ? Map.of() : old.filterShared(), now == null ? Map.of() : now.filterShared(), dirtyFilter);
            ServicePortName name = now != null ? now.name() : old != null ? old.name() : null;
            if (now != null) {
                ordered.put(name, now);
            } else if (name != null) {
                ordered.remove(name);
            }
        }
        FixedRules fixed = new FixedRules(opts);
        Map<String, Chain> filterPut = new LinkedHashMap<>();
        for (String chain : dirtyNat) {
            reassemble(nat, chain, ServiceRules::natShared, chain.equals(SERVICES) ? fixed.nodePortsTail() : List.of(), natPut);
        }
        for (String chain : dirtyFilter) {
            reassemble(filter, chain, ServiceRules::filterShared, chain.equals(FORWARD) ? fixed.forward() : List.of(), filterPut);
        }

        Map<String, Table> tables = new LinkedHashMap<>(last.desired().tables());
        tables.put(NAT, nat.withChains(natPut, natRemoved));
        tables.put(FILTER, filter.withChains(filterPut, List.of()));
        @SuppressWarnings("unchecked")
        PatchedMap<String, ServicePortName> owners = (PatchedMap<String, ServicePortName>) last.chainOwners();
        Set<String> ownerRemoved = new HashSet<>(natRemoved);
        ownerRemoved.removeAll(ownerPut.keySet());
        last = new IptablesPlan(new Ruleset(opts.family(), tables), owners.with(ownerPut, ownerRemoved),
                last.nfacctCounters(), List.of());
        return last;
    }

    /** A shared chain as {@link IptablesPlanner#assemble} builds it: every service's lines in name order, then the tail. */
    private void reassemble(Table table, String chain,
                            java.util.function.Function<ServiceRules, Map<String, List<String>>> part,
                            List<String> tail, Map<String, Chain> put) {
        Chain current = table.chain(chain);
        List<String> rules = new ArrayList<>(current == null ? 16 : current.rules().size() + 4);
        for (ServiceRules svc : ordered.values()) {
            List<String> lines = part.apply(svc).get(chain);
            if (lines != null) {
                rules.addAll(lines);
            }
        }
        rules.addAll(tail);
        if (current == null || !current.rules().equals(rules)) {
            put.put(chain, Chain.user(chain, rules));
        }
    }

    private static void dirty(Map<String, List<String>> old, Map<String, List<String>> now, Set<String> out) {
        for (String chain : old.keySet()) {
            if (!Objects.equals(old.get(chain), now.get(chain))) {
                out.add(chain);
            }
        }
        for (String chain : now.keySet()) {
            if (!old.containsKey(chain)) {
                out.add(chain);
            }
        }
    }

    private static Map<String, List<String>> chainsOf(ServiceRules rules) {
        return rules == null ? Map.of() : rules.natChains();
    }

    /** Endpoints counted toward the large-cluster threshold, as {@link IptablesPlanner} counts them. */
    private static int familyEndpoints(ServicePort svc, List<Endpoint> eps, IpFamily family) {
        if (svc.clusterIP(family) == null) {
            return 0;
        }
        int n = 0;
        for (Endpoint ep : eps) {
            if (ep.family() == family) {
                n++;
            }
        }
        return n;
    }

    private static boolean same(Object a, Object b) {
        return a == b || a.equals(b);
    }
}
