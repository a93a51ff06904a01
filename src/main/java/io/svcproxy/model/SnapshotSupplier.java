package io.svcproxy.model;

import java.util.List;

/**
 * The latest desired state, as a dataplane takes it at the start of a sync. Here, beside the
 * snapshot, so that the source implements it and the dataplanes use it without knowing each other.
 */
public interface SnapshotSupplier {

    /** The latest valid snapshot (never a half-read or broken one). */
    ClusterSnapshot current();

    /**
     * The trigger times of the changes that arrived since the last call (and are in {@link #current()}),
     * each with its slice's address family, for network programming latency. Suppliers without such
     * times return none.
     */
    default List<TriggerTime> takeTriggerTimes() {
        return List.of();
    }
}
