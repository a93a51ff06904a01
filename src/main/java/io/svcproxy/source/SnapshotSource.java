package io.svcproxy.source;

import io.svcproxy.model.SnapshotSupplier;

/** Where the desired state comes from; tells its listener when it changed. */
public interface SnapshotSource extends SnapshotSupplier, AutoCloseable {

    /** Starts watching; {@code onChange} is called (from any thread) after each change. */
    void start(Runnable onChange);

    @Override
    void close();
}
