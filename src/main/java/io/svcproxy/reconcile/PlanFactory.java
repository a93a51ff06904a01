package io.svcproxy.reconcile;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;

/** Snapshot -> plan of one family; the daemon's link to the planner and its options. */
@FunctionalInterface
public interface PlanFactory {
    IptablesPlan plan(ClusterSnapshot snapshot, IpFamily family);
}
