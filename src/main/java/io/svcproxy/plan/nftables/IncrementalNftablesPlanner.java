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
 * since the last plan; the others keep their objects, so the diff finds them unchanged by identity.
 * Different options (they depend on the node) plan everything again. One instance per family, used
 * by one thread.
 */
public final class IncrementalNftablesPlanner {
    private NftablesFamilyPlan last;
    private final Map<ServicePortName, Inputs> inputs = new HashMap<>();

    private record Inputs(ServicePort svc, List<Endpoint> endpoints) {
    }

    public NftablesFamilyPlan plan(ClusterSnapshot snapshot, NftablesOptions opts) {
        if (last == null || !opts.equals(last.options())) {
            inputs.clear();
            snapshot.services().values().forEach(svc -> inputs.put(svc.name(),
                    new Inputs(svc, snapshot.endpointsOf(svc.name()))));
            last = NftablesPlanner.planFamily(snapshot, opts);
            return last;
        }
        List<ServicePortName> changed = new ArrayList<>();
        for (ServicePort svc : snapshot.services().values()) {
            List<Endpoint> eps = snapshot.endpointsOf(svc.name());
            Inputs was = inputs.get(svc.name());
            if (was == null || !same(was.svc(), svc) || !same(was.endpoints(), eps)) {
                changed.add(svc.name());
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
            return last;
        }
        last = NftablesPlanner.replan(last, snapshot, changed);
        return last;
    }

    private static boolean same(Object a, Object b) {
        return a == b || a.equals(b);
    }
}
