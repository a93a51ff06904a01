package io.svcproxy.reconcile;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.source.SnapshotSource;

import java.time.Duration;
import io.svcproxy.model.IpFamily;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One sync, read as a table of contents: take the latest snapshot, plan each family, bring the
 * kernel to the plan, clean conntrack entries the change made stale, report.
 */
public final class ProxySyncer implements SyncAction {
    private final SnapshotSource source;
    private final PlanFactory planner;
    private final List<IptablesSyncer> families;
    private final ConntrackCleaner conntrack;
    private final BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries;
    private ClusterSnapshot applied;

    public ProxySyncer(SnapshotSource source, PlanFactory planner, List<IptablesSyncer> families,
                       ConntrackCleaner conntrack,
                       BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries) {
        this.source = source;
        this.planner = planner;
        this.families = List.copyOf(families);
        this.conntrack = conntrack;
        this.staleEntries = staleEntries;
    }

    @Override
    public SyncReport sync(boolean full) {
        long start = System.nanoTime();
        List<java.time.Instant> triggers = source.takeTriggerTimes();
        ClusterSnapshot snapshot = source.current();
        List<IptablesSyncer.Result> results = new ArrayList<>();
        Map<IpFamily, Map<String, Integer>> rulesPerTable = new EnumMap<>(IpFamily.class);
        try {
            for (IptablesSyncer family : families) {
                IptablesPlan plan = planner.plan(snapshot, family.family());
                results.add(family.sync(plan, full));
                rulesPerTable.put(family.family(), rulesPerTable(plan));
            }
        } catch (RuntimeException e) {
            // One family failed: trust none of the remembered states; the next sync reads the kernel.
            families.forEach(IptablesSyncer::invalidate);
            throw e;
        }
        int deleted = cleanConntrack(snapshot);
        applied = snapshot;
        return new SyncReport(full, results, deleted, Duration.ofNanos(System.nanoTime() - start), snapshot, triggers,
                rulesPerTable);
    }

    /** The rules we own per table: our chains' rules plus our jumps in the built-in chains. */
    private static Map<String, Integer> rulesPerTable(IptablesPlan plan) {
        Map<String, Integer> counts = new TreeMap<>();
        plan.desired().tables().forEach((name, table) -> counts.put(name, table.ruleCount()));
        return counts;
    }

    /** Only after the new rules are in: a flow cleared earlier would be re-created on the old path. */
    private int cleanConntrack(ClusterSnapshot snapshot) {
        if (applied == null) {
            return 0;
        }
        List<ConntrackFilter> filters = staleEntries.apply(applied, snapshot);
        return filters.isEmpty() ? 0 : conntrack.delete(filters);
    }
}
