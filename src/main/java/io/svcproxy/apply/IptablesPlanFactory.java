package io.svcproxy.apply;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;

/** Snapshot -> iptables mode's plan of one family: the daemon's link to the planner and its options. */
@FunctionalInterface
public interface IptablesPlanFactory {
    IptablesPlan plan(ClusterSnapshot snapshot, IpFamily family);
}
