package io.svcproxy.dataplane;

import io.svcproxy.model.IpFamily;

import java.util.List;

/**
 * One proxy mode's hold on the node's kernel: the only thing the sync loop, metrics, health and the
 * daemon's wiring know of a mode. Each sync takes the latest desired state and brings the kernel to
 * it. Implementations are called from the sync thread only.
 */
public interface Dataplane extends AutoCloseable {

    /** The IP families this dataplane programs (fixed at start-up). */
    List<IpFamily> families();

    /**
     * Brings the kernel to the latest desired state; {@code full} reads the kernel instead of
     * trusting what was last written (and so repairs drift). A failure the kernel's side caused is a
     * {@link DataplaneException}; after any failure the next sync should be a full one.
     */
    SyncReport sync(boolean full);

    /** What the canary is, for the log ("chain KUBE-PROXY-CANARY"). */
    String canary();

    /**
     * Cheap check, between syncs, that our state was not flushed behind our back: false means the
     * loop resyncs in full.
     */
    boolean canaryPresent();

    /**
     * Whether the last sync left work that only a later sync can do (nftables mode: stale chains
     * flushed in this batch, deleted by the next one): the loop then queues a sync, which runs after
     * the min sync period like any other. False by default.
     */
    default boolean wantsFollowUp() {
        return false;
    }

    /** Releases kernel handles (netlink sockets); nothing by default. */
    @Override
    default void close() {
    }
}
