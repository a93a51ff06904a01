package io.svcproxy.apply.ipvs;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.ipvs.IpvsPlan;

/** Snapshot -> IPVS mode's plan of one family: the daemon's link to the IPVS planner and its options. */
@FunctionalInterface
public interface IpvsPlanFactory {
    IpvsPlan plan(ClusterSnapshot snapshot, IpFamily family);
}
