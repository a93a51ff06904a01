package io.svcproxy.reconcile;

/** One sync of the node; {@code full} reads the kernel instead of trusting what was written. */
@FunctionalInterface
public interface SyncAction {
    SyncReport sync(boolean full);
}
