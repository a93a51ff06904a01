package io.svcproxy.apply.nftables;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.diff.nftables.NftChanges;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.nftables.NftApplyException;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKernel;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.nftables.IncrementalNftablesPlanner;
import io.svcproxy.plan.nftables.NftNames;
import io.svcproxy.plan.nftables.NftablesFamilyPlan;
import io.svcproxy.plan.nftables.NftablesOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * nftables mode's dataplane. One sync: take the latest snapshot, plan each family (only the
 * service ports that changed), bring each family's table to its plan in one nf_tables batch, clean
 * the conntrack entries the change made stale, report.
 */
public final class NftablesDataplane implements Dataplane {
    private final SnapshotSupplier source;
    private final NftKernel kernel;
    private final List<Family> families;
    private final io.svcproxy.apply.StaleConntrack conntrack;

    /** One family: how its options are made, its incremental planner and its table's syncer. */
    private record Family(IpFamily family, BiFunction<ClusterSnapshot, IpFamily, NftablesOptions> options,
                          IncrementalNftablesPlanner planner, NftTableSyncer syncer) {
    }

    /**
     * @param options      the planner options of a family for a snapshot (they depend on the node object)
     * @param staleEntries the UDP conntrack entries a change from one snapshot to the next made stale
     */
    public NftablesDataplane(SnapshotSupplier source, NftKernel kernel, List<IpFamily> families,
                             BiFunction<ClusterSnapshot, IpFamily, NftablesOptions> options, ConntrackCleaner conntrack,
                             BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries) {
        if (families.isEmpty()) {
            throw new IllegalArgumentException("no IP family to sync");
        }
        this.source = source;
        this.kernel = kernel;
        NftGenerations generations = new NftGenerations();
        this.families = families.stream().map(f -> new Family(f, options, new IncrementalNftablesPlanner(),
                new NftTableSyncer(NftFamily.of(f), NftNames.TABLE, kernel, generations))).toList();
        this.conntrack = new io.svcproxy.apply.StaleConntrack(conntrack, staleEntries);
    }

    @Override
    public List<IpFamily> families() {
        return families.stream().map(Family::family).toList();
    }

    @Override
    public SyncReport sync(boolean full) {
        long start = System.nanoTime();
        List<TriggerTime> triggers = source.takeTriggerTimes();
        ClusterSnapshot snapshot = source.current();
        long snapshotAt = System.nanoTime();
        long planNanos = 0;
        long writeNanos = 0;
        List<FamilyResult> results = new ArrayList<>();
        List<NftChanges.Counts> counts = new ArrayList<>();
        for (Family f : families) {
            long planStart = System.nanoTime();
            NftablesFamilyPlan plan = f.planner().plan(snapshot, f.options().apply(snapshot, f.family()));
            long planned = System.nanoTime();
            planNanos += planned - planStart;
            NftTableSyncer.Result r;
            try {
                r = f.syncer().sync(plan.table(), full, f.planner().lastScope());
            } catch (NftApplyException e) {
                families.forEach(x -> x.syncer().invalidate());
                throw refused(e, f.family(), full);
            } catch (RuntimeException e) {
                // Any failure: trust none of the remembered tables; the next sync reads the kernel.
                families.forEach(x -> x.syncer().invalidate());
                throw new DataplaneException(DataplaneException.Kind.UNREACHABLE, "nf_tables",
                        "nf_tables " + f.family().kubernetesName() + ": " + e.getMessage(), "", f.family(), !full, e);
            }
            writeNanos += System.nanoTime() - planned;
            counts.add(r.counts());
            results.add(new FamilyResult(f.family(), r.full(), r.changed() ? 1 : 0, r.payloadBytes(),
                    r.driftRepaired(), r.counts().rulesAdded(), r.counts().rulesDeleted(), Map.of()));
        }
        long conntrackStart = System.nanoTime();
        int deleted = conntrack.applied(snapshot);
        long end = System.nanoTime();
        // Where a sync's time went, so a slow one says which part was slow.
        String phases = " (snapshot " + ms(snapshotAt - start) + ", plan " + ms(planNanos) + ", diff+kernel "
                + ms(writeNanos) + ", conntrack " + ms(end - conntrackStart) + ")";
        return new SyncReport(full, results, deleted, Duration.ofNanos(end - start), snapshot, triggers,
                () -> describe(counts) + phases);
    }

    private static String ms(long nanos) {
        return nanos / 1_000_000 + "ms";
    }

    /** "nft chains=+2/~1/-0 elements=+3/-1": the log line's part for what rules do not show. */
    private static String describe(List<NftChanges.Counts> counts) {
        int chainsAdded = 0;
        int rewritten = 0;
        int deleted = 0;
        int elAdded = 0;
        int elDeleted = 0;
        for (NftChanges.Counts c : counts) {
            chainsAdded += c.chainsAdded();
            rewritten += c.chainsRewritten();
            deleted += c.chainsDeleted() + c.chainsFlushedStale();
            elAdded += c.elementsAdded();
            elDeleted += c.elementsDeleted();
        }
        return "nft chains=+" + chainsAdded + "/~" + rewritten + "/-" + deleted + " elements=+" + elAdded + "/-"
                + elDeleted;
    }

    private static DataplaneException refused(NftApplyException e, IpFamily family, boolean full) {
        String context = e.op() == null ? "" : "refused: " + io.svcproxy.plan.nftables.NftOpsText.summary(e.op());
        return new DataplaneException(DataplaneException.Kind.REFUSED, "nf_tables", e.getMessage(), context, family,
                !full, e);
    }

    /** Stale chains this sync flushed are deleted by the next one, which should not wait for a change. */
    @Override
    public boolean wantsFollowUp() {
        return families.stream().anyMatch(f -> f.syncer().hasLingeringChains());
    }

    @Override
    public String canary() {
        return "table " + NftFamily.of(families.get(0).family()).keyword() + " " + NftNames.TABLE;
    }

    /** Our table, checked with one GETTABLE: deleting it (nft flush ruleset, a reboot of nftables.service) is what to notice. */
    @Override
    public boolean canaryPresent() {
        return kernel.exists(NftFamily.of(families.get(0).family()), NftNames.TABLE);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
