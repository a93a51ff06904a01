package io.svcproxy.apply;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.plan.ConntrackFilter;

import java.util.List;
import java.util.function.BiFunction;

/**
 * The step after the rules are in, shared by the modes that plan from snapshots: delete the UDP
 * conntrack entries the change from the last applied snapshot to this one made stale. Only after
 * the new rules are in: a flow cleared earlier would be re-created on the old path.
 */
public final class StaleConntrack {
    private final ConntrackCleaner conntrack;
    private final BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries;
    private ClusterSnapshot applied;

    /** @param staleEntries the entries a change from one snapshot to the next made stale */
    public StaleConntrack(ConntrackCleaner conntrack,
                          BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries) {
        this.conntrack = conntrack;
        this.staleEntries = staleEntries;
    }

    /** {@code snapshot} is now in the kernel: cleans what it made stale; returns the entries deleted. */
    public int applied(ClusterSnapshot snapshot) {
        ClusterSnapshot before = applied;
        applied = snapshot;
        if (before == null) {
            return 0;
        }
        List<ConntrackFilter> filters = staleEntries.apply(before, snapshot);
        return filters.isEmpty() ? 0 : conntrack.delete(filters);
    }
}
