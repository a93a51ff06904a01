package io.svcproxy.apply.nftables;

/**
 * Which of the ruleset generations since the last look were our own batches, shared by the syncers
 * of one kernel (one per family). The kernel counts every committed batch in the namespace; a
 * syncer's memory of its table, taken at generation V, is still the kernel's state when no commit
 * after V may have been anyone else's: our other syncers' batches touch only their own tables, so
 * one family's batch does not send the other family back to dumping its table.
 */
final class NftGenerations {
    /** The latest generation accounted for (-1: none yet). */
    private long latest = -1;
    /** The highest generation that may have been someone else's commit. */
    private long foreignUpTo = Long.MAX_VALUE;

    /** The generation is {@code now}: any commit since the last one accounted for is someone else's. */
    synchronized void observe(long now) {
        if (now != latest) {
            foreignUpTo = now;
            latest = now;
        }
    }

    /** One of our batches took the generation from {@code before} to {@code after}. */
    synchronized void ours(long before, long after) {
        observe(before);
        if (after != before + 1) {
            foreignUpTo = after;   // someone else committed around ours: which one changed what is unknown
        }
        latest = after;
    }

    /** Whether a table as known at generation {@code known} is unchanged at {@code now}. */
    synchronized boolean unchangedSince(long known, long now) {
        observe(now);
        return known >= 0 && foreignUpTo <= known;
    }
}
