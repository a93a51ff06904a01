package io.svcproxy.source;

import io.svcproxy.model.ClusterSnapshot;

/** Where the desired state comes from; tells its listener when it changed. */
public interface SnapshotSource extends AutoCloseable {

    /** Starts watching; {@code onChange} is called (from any thread) after each change. */
    void start(Runnable onChange);

    /** The latest valid snapshot (never a half-read or broken one). */
    ClusterSnapshot current();

    /**
     * The trigger times of the changes that arrived since the last call (and are in {@link #current()}),
     * for network programming latency. Sources without such times return none.
     */
    default java.util.List<java.time.Instant> takeTriggerTimes() {
        return java.util.List.of();
    }

    @Override
    void close();
}
