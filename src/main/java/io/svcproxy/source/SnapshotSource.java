package io.svcproxy.source;

import io.svcproxy.model.ClusterSnapshot;

/** Where the desired state comes from; tells its listener when it changed. */
public interface SnapshotSource extends AutoCloseable {

    /** Starts watching; {@code onChange} is called (from any thread) after each change. */
    void start(Runnable onChange);

    /** The latest valid snapshot (never a half-read or broken one). */
    ClusterSnapshot current();

    @Override
    void close();
}
