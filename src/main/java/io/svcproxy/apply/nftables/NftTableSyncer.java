package io.svcproxy.apply.nftables;

import io.svcproxy.diff.nftables.NftChanges;
import io.svcproxy.diff.nftables.NftDiff;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKernel;
import io.svcproxy.nftables.NftScope;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftTableKey;

import java.util.List;
import java.util.OptionalLong;


/**
 * Keeps one of our nf_tables tables equal to the plan with one batch per sync. It remembers the
 * table as its last batch left it, so a partial sync reads nothing from the kernel: it diffs the new
 * plan against that memory. A full sync (start-up, the periodic resync, after any failure) dumps
 * the table, which is how drift is found and repaired, unless the kernel's ruleset generation is
 * still the one this syncer's own last batch (or read) left: then nobody has committed anything
 * since and memory is the kernel's state, so the periodic resync of a quiet node costs one small
 * request instead of dumping every chain and element. On a node taken over from kube-proxy the
 * first full sync sees kube-proxy's own table and changes only what differs.
 */
public final class NftTableSyncer {
    private final NftFamily family;
    private final String table;
    private final NftKernel kernel;
    private NftTable known;
    private boolean knownRead;
    private NftTable lastPlan;
    private List<String> lingering = List.of();
    /** The ruleset generation at which the kernel's table was {@link #known}, or -1 if not known. */
    private long verifiedAt = -1;
    private final NftGenerations generations;

    /** What one sync did: whether it read the kernel, the batch it sent, and drift it found. */
    public record Result(NftFamily family, boolean full, int messages, long payloadBytes, NftChanges.Counts counts,
                         int driftRepaired) {
        public boolean changed() {
            return messages > 0;
        }
    }

    public NftTableSyncer(NftFamily family, String table, NftKernel kernel) {
        this(family, table, kernel, new NftGenerations());
    }

    /** One of several syncers over one kernel: {@code generations} is shared by all of them. */
    NftTableSyncer(NftFamily family, String table, NftKernel kernel, NftGenerations generations) {
        this.family = family;
        this.table = table;
        this.kernel = kernel;
        this.generations = generations;
    }

    public NftFamily family() {
        return family;
    }

    /** Brings the kernel's table to {@code plan}; {@code full} reads the kernel instead of trusting memory. */
    public Result sync(NftTable plan, boolean full) {
        return sync(plan, full, null);
    }

    /**
     * The same, where {@code scope} (null: unknown) names what may differ between {@code plan} and
     * the plan this syncer wrote last: a partial sync then diffs only that (and the stale chains it
     * left to delete), whatever the table's size.
     */
    public Result sync(NftTable plan, boolean full, NftScope scope) {
        if (plan.family() != family || !plan.name().equals(table)) {
            throw new IllegalArgumentException("plan for " + NftTableKey.of(plan) + " given to the syncer of "
                    + family.keyword() + " " + table);
        }
        OptionalLong now = kernel.generation();
        boolean unchanged = knownRead && now.isPresent() && generations.unchangedSince(verifiedAt, now.getAsLong());
        boolean readKernel = !knownRead || (full && !unchanged);
        NftTable actual = readKernel ? kernel.read(family, table).orElse(null) : known;
        // What `actual` is the kernel's state at: `now`, if nothing committed during the read.
        long base = readKernel ? sameGeneration(now, kernel.generation()) : unchanged ? now.getAsLong() : -1;
        if (readKernel && base >= 0) {
            generations.observe(base);
        }
        int drift = readKernel && lastPlan != null && actual != null
                ? NftDiff.diff(actual, lastPlan).ops().size() : 0;
        NftChanges changes = !readKernel && scope != null
                ? NftDiff.diff(actual, plan, scope.withChains(lingering))
                : NftDiff.diff(actual, plan);
        long bytes = 0;
        try {
            if (!changes.isEmpty()) {
                bytes = kernel.apply(changes.ops());
                // A commit by anyone else since `now` (during the read, the diff or around our batch)
                // shows as the generation moving by more than one.
                OptionalLong after = kernel.generation();
                if (now.isPresent() && after.isPresent()) {
                    generations.ours(now.getAsLong(), after.getAsLong());
                }
                // Memory is the kernel's state if it was at `base` and our batch was the only commit.
                verifiedAt = base >= 0 && after.isPresent() && after.getAsLong() == base + 1 ? after.getAsLong() : -1;
            } else {
                verifiedAt = base;
            }
        } catch (RuntimeException e) {
            invalidate();
            throw e;
        }
        known = changes.after();
        lingering = changes.lingering();
        knownRead = true;
        lastPlan = plan;
        return new Result(family, readKernel, changes.ops().size(), bytes, changes.counts(), drift);
    }

    private static long sameGeneration(OptionalLong before, OptionalLong after) {
        return before.isPresent() && after.isPresent() && before.getAsLong() == after.getAsLong()
                ? before.getAsLong() : -1;
    }

    /** Whether the last batch left stale chains flushed but not yet deleted. */
    public boolean hasLingeringChains() {
        return !lingering.isEmpty();
    }

    /** Forgets what was written, so the next sync reads the kernel (after a failure anywhere). */
    public void invalidate() {
        known = null;
        verifiedAt = -1;
        lingering = List.of();
        knownRead = false;
    }
}
