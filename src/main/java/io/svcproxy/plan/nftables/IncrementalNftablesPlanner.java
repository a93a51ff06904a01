package io.svcproxy.plan.nftables;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's nftables planner: the same plan as {@link NftablesPlanner#planFamily}, but a sync
 * plans again only the service ports whose inputs (their ServicePort, their endpoints) changed
 * since the last plan; the others keep their objects, so the diff finds them unchanged by identity,
 * and the table is the last one patched, with the scope of what the patch touched.
 * Different options (they depend on the node) plan everything again. One instance per family, used
 * by one thread.
 */
public final class IncrementalNftablesPlanner {
    private NftablesFamilyPlan last;
    private final Map<ServicePortName, Inputs> inputs = new HashMap<>();
    private SharedElementOwners owners;
    private io.svcproxy.nftables.NftScope scope;

    private record Inputs(ServicePort svc, List<Endpoint> endpoints) {
    }

    public NftablesFamilyPlan plan(ClusterSnapshot snapshot, NftablesOptions opts) {
        if (last == null || !opts.equals(last.options())) {
            inputs.clear();
            snapshot.services().values().forEach(svc -> inputs.put(svc.name(),
                    new Inputs(svc, snapshot.endpointsOf(svc.name()))));
            last = NftablesPlanner.planFamily(snapshot, opts);
            owners = SharedElementOwners.of(last.services());
            scope = null;
            return last;
        }
        List<ServicePortName> changed = new ArrayList<>();
        // Services and endpoints are both sorted by name: walked side by side, not looked up one by one.
        java.util.Iterator<Map.Entry<ServicePortName, List<Endpoint>>> endpoints =
                snapshot.endpoints().entrySet().iterator();
        Map.Entry<ServicePortName, List<Endpoint>> next = endpoints.hasNext() ? endpoints.next() : null;
        for (ServicePort svc : snapshot.services().values()) {
            while (next != null && next.getKey().compareTo(svc.name()) < 0) {
                next = endpoints.hasNext() ? endpoints.next() : null;
            }
            List<Endpoint> eps = next != null && next.getKey().equals(svc.name()) ? next.getValue() : List.of();
            Inputs was = inputs.get(svc.name());
            if (was == null || !same(was.svc(), svc) || !same(was.endpoints(), eps)) {
                changed.add(svc.name());
                inputs.put(svc.name(), new Inputs(svc, eps));
            } else if (was.svc() != svc || was.endpoints() != eps) {
                // Equal values in new objects (a source that converted again): kept, so the next
                // sync tells this service unchanged by identity instead of comparing it again.
                inputs.put(svc.name(), new Inputs(svc, eps));
            }
        }
        if (inputs.size() > snapshot.services().size()) {
            inputs.keySet().removeIf(name -> {
                boolean gone = !snapshot.services().containsKey(name);
                if (gone) {
                    changed.add(name);
                }
                return gone;
            });
        }
        if (changed.isEmpty()) {
            scope = io.svcproxy.nftables.NftScope.NOTHING;
            return last;
        }
        NftablesPlanner.Patched patched = NftablesPlanner.patch(last, snapshot, changed, owners);
        last = patched.plan();
        scope = patched.scope();
        return last;
    }

    /**
     * What may differ between the last plan and the one before it, or null when the last plan was
     * made from scratch (the first one, or after options changed): then nothing can be scoped.
     */
    public io.svcproxy.nftables.NftScope lastScope() {
        return scope;
    }

    private static boolean same(Object a, Object b) {
        return a == b || a.equals(b);
    }
}
