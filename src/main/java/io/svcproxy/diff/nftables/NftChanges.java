package io.svcproxy.diff.nftables;

import io.svcproxy.nftables.NftOp;

import java.util.List;

/**
 * The nftables diff's result for one table: the ops in batch order, what they amount to (the counts
 * a sync report and the dry run show), and the table as the kernel holds it once they are applied:
 * the desired one plus the stale chains flushed but not yet deleted (a dynamic set's elements are
 * the packet path's and read as none), and the names of those stale chains. What the syncer
 * remembers for the next partial sync.
 */
public record NftChanges(List<NftOp> ops, Counts counts, io.svcproxy.nftables.NftTable after, List<String> lingering) {
    public NftChanges {
        ops = List.copyOf(ops);
        lingering = List.copyOf(lingering);
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /**
     * How many chains the batch adds, rewrites (flush + re-add of its rules), flushes because they
     * are stale, and deletes (stale ones flushed by an earlier sync); how many rules it adds and
     * removes (a rewritten chain's old rules count as removed), sets it
     * adds or deletes (a re-declared set counts as both), and elements it adds or deletes (a changed
     * element counts as both).
     */
    public record Counts(int chainsAdded, int chainsRewritten, int chainsFlushedStale, int chainsDeleted,
                         int rulesAdded, int rulesDeleted, int setsAdded, int setsDeleted, int elementsAdded,
                         int elementsDeleted) {
        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
