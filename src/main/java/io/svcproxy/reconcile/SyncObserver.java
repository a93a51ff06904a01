package io.svcproxy.reconcile;

import io.svcproxy.dataplane.SyncReport;

/**
 * Watches the loop: health (healthz), metrics and events hang off these calls. Called from the sync
 * thread (queued: from any thread); implementations must be quick and must not throw.
 */
public interface SyncObserver {
    SyncObserver NONE = new SyncObserver() {
    };

    /** A change arrived and is waiting for a sync. */
    default void syncQueued() {
    }

    /** A sync succeeded; the report carries the snapshot it applied and the changes' trigger times. */
    default void syncSucceeded(SyncReport report) {
    }

    /**
     * A sync failed; a {@link io.svcproxy.dataplane.DataplaneException} says whether the kernel
     * refused the change, and in which family.
     */
    default void syncFailed(Throwable error) {
    }
}
