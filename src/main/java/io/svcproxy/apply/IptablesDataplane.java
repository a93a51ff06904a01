package io.svcproxy.apply;

import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.KubeChains;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * iptables mode's dataplane. One sync, read as a table of contents: take the latest snapshot, plan
 * each family, bring the kernel to the plan, clean conntrack entries the change made stale, report.
 */
public final class IptablesDataplane implements Dataplane {
    private final SnapshotSupplier source;
    private final IptablesPlanFactory planner;
    private final List<IptablesSyncer> families;
    private final io.svcproxy.apply.StaleConntrack conntrack;

    public IptablesDataplane(SnapshotSupplier source, IptablesPlanFactory planner, List<IptablesSyncer> families,
                             ConntrackCleaner conntrack,
                             BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries) {
        if (families.isEmpty()) {
            throw new IllegalArgumentException("no IP family to sync");
        }
        this.source = source;
        this.planner = planner;
        this.families = List.copyOf(families);
        this.conntrack = new io.svcproxy.apply.StaleConntrack(conntrack, staleEntries);
    }

    @Override
    public List<IpFamily> families() {
        return families.stream().map(IptablesSyncer::family).toList();
    }

    @Override
    public SyncReport sync(boolean full) {
        long start = System.nanoTime();
        List<TriggerTime> triggers = source.takeTriggerTimes();
        ClusterSnapshot snapshot = source.current();
        List<FamilyResult> results = new ArrayList<>();
        try {
            for (IptablesSyncer family : families) {
                IptablesPlan plan = planner.plan(snapshot, family.family());
                results.add(family.sync(plan, full).reported(plan));
            }
        } catch (RuntimeException e) {
            // One family failed: trust none of the remembered states; the next sync reads the kernel.
            families.forEach(IptablesSyncer::invalidate);
            throw e;
        }
        int deleted = conntrack.applied(snapshot);
        return new SyncReport(full, results, deleted, Duration.ofNanos(System.nanoTime() - start), snapshot, triggers);
    }

    @Override
    public String canary() {
        return "chain " + KubeChains.PROXY_CANARY;
    }

    /** kube-proxy's canary: mangle KUBE-PROXY-CANARY, which only a flush of our rules removes. */
    @Override
    public boolean canaryPresent() {
        return families.get(0).chainExists(KubeChains.MANGLE, KubeChains.PROXY_CANARY);
    }

}
