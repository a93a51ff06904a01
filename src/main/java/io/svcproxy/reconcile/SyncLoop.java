package io.svcproxy.reconcile;

import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.dataplane.SyncReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The single thread that syncs. Change notifications only set a flag (coalesced); syncs are rate
 * limited as kube-proxy's BoundedFrequencyRunner limits them: a token bucket of {@link #BURST}
 * syncs refilled at one per minSyncPeriod, so a change after a quiet spell is applied at once and
 * the change right behind it (a Service, then its EndpointSlice) too, while under churn syncs run
 * at most once per minSyncPeriod on average, each taking every change since the last. A sync
 * starts a short settle time after the first change it takes, so changes written back to back (a
 * Service and its EndpointSlice) are one sync, not one sync and a second queued behind it. A full
 * sync (kernel read, drift repair) runs every syncPeriod, when the dataplane's canary is gone, and
 * after any failure; failures retry with exponential backoff.
 * It knows no mode: what it syncs is a {@link Dataplane}.
 */
public final class SyncLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncLoop.class);
    private final Dataplane dataplane;
    private final Duration minSyncPeriod;
    private final Duration syncPeriod;
    private final Duration canaryPeriod;
    private final long settleNanos;
    private final LoopClock clock;
    private final Object lock = new Object();
    private boolean pending = true;
    private boolean fullPending = true;
    /** When the first change the next sync takes was requested (the settle time counts from it); -1: none yet. */
    private long pendingSince = -1;
    private volatile boolean stopped;
    private int failures;
    /** Syncs that may run back to back after a quiet spell (kube-proxy's burstSyncs). */
    static final int BURST = 2;
    /**
     * The daemon's settle time: long enough for the watch events of writes made back to back to
     * arrive (a few milliseconds apart), short beside a sync at scale.
     */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(15);
    /** The bucket, in nanoseconds of credit: a sync costs minSyncPeriod, at most BURST of them held. */
    private long credit = Long.MAX_VALUE;
    private long creditAt;
    private long nextFull;
    private long nextCanary;
    private long retryAt = Long.MAX_VALUE;
    private volatile long lastSuccessNanos;
    private volatile SyncObserver observer = SyncObserver.NONE;

    public SyncLoop(Dataplane dataplane, Duration minSyncPeriod, Duration syncPeriod, Duration canaryPeriod) {
        this(dataplane, minSyncPeriod, syncPeriod, canaryPeriod, LoopClock.SYSTEM);
    }

    /** A loop without a settle time: each sync starts as soon as its token allows. */
    public SyncLoop(Dataplane dataplane, Duration minSyncPeriod, Duration syncPeriod, Duration canaryPeriod,
                    LoopClock clock) {
        this(dataplane, minSyncPeriod, syncPeriod, canaryPeriod, Duration.ZERO, clock);
    }

    /** @param settle how long a sync waits after the first change it takes, for the changes right behind it */
    public SyncLoop(Dataplane dataplane, Duration minSyncPeriod, Duration syncPeriod, Duration canaryPeriod,
                    Duration settle, LoopClock clock) {
        this.dataplane = dataplane;
        this.minSyncPeriod = minSyncPeriod;
        this.syncPeriod = syncPeriod;
        this.canaryPeriod = canaryPeriod;
        this.settleNanos = settle.toNanos();
        this.clock = clock;
    }

    public void setObserver(SyncObserver observer) {
        this.observer = observer;
    }

    /** Adds an observer beside the ones already set. */
    public void addObserver(SyncObserver extra) {
        this.observer = CompositeSyncObserver.of(observer, extra);
    }

    /** Something changed: sync soon (coalesced with other requests). */
    public void requestSync() {
        observer.syncQueued();
        synchronized (lock) {
            markPending();
            lock.notifyAll();
        }
    }

    /** Read the kernel and repair whatever differs. */
    public void requestFullSync() {
        synchronized (lock) {
            markPending();
            fullPending = true;
            lock.notifyAll();
        }
    }

    /** Under the lock: a change to take; the settle time counts from the first one. */
    private void markPending() {
        if (!pending || pendingSince < 0) {
            pendingSince = clock.nanoTime();
        }
        pending = true;
    }

    public void stop() {
        stopped = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The clock's nanoTime() of the last successful sync, 0 before the first. */
    public long lastSuccessNanos() {
        return lastSuccessNanos;
    }

    @Override
    public void run() {
        long now = clock.nanoTime();
        creditAt = now;
        nextFull = now + syncPeriod.toNanos();
        nextCanary = now + canaryPeriod.toNanos();
        while (!stopped) {
            boolean full = awaitWork();
            if (stopped) {
                return;
            }
            runOnce(full);
        }
    }

    /** Blocks until a sync is due; returns whether it must be a full one. */
    private boolean awaitWork() {
        synchronized (lock) {
            while (!stopped) {
                long now = clock.nanoTime();
                if (now >= nextCanary) {
                    nextCanary = now + canaryPeriod.toNanos();
                    if (!checkCanary()) {
                        markPending();
                        fullPending = true;
                    }
                }
                if (now >= nextFull) {
                    markPending();
                    fullPending = true;
                }
                if (now >= retryAt) {
                    markPending();
                }
                long earliest = Math.max(earliestStart(now), pendingSince < 0 ? now : pendingSince + settleNanos);
                if (pending && now >= earliest) {
                    boolean full = fullPending;
                    pending = false;
                    fullPending = false;
                    pendingSince = -1;
                    return full;
                }
                long wake = Math.min(Math.min(nextFull, nextCanary), retryAt);
                if (pending) {
                    wake = Math.min(wake, earliest);
                }
                try {
                    clock.await(lock, wake - now);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped = true;
                }
            }
            return false;
        }
    }

    /** When the bucket next holds a whole token: now, or once enough of minSyncPeriod has passed. */
    private long earliestStart(long now) {
        long period = minSyncPeriod.toNanos();
        if (period <= 0) {
            return now;
        }
        long max = BURST * period;
        credit = Math.min(max, credit == Long.MAX_VALUE ? max : credit + Math.max(0, now - creditAt));
        creditAt = now;
        return credit >= period ? now : now + (period - credit);
    }

    private boolean checkCanary() {
        try {
            boolean present = dataplane.canaryPresent();
            if (!present) {
                LOG.warn("canary {} is gone: rules were flushed; resyncing in full", dataplane.canary());
            }
            return present;
        } catch (RuntimeException e) {
            LOG.warn("canary check failed: {}", e.getMessage());
            return true;
        }
    }

    private void runOnce(boolean full) {
        long start = clock.nanoTime();
        synchronized (lock) {
            earliestStart(start);
            credit = Math.max(0, credit - minSyncPeriod.toNanos());
        }
        try {
            SyncReport report = dataplane.sync(full);
            if (report.driftRepaired() > 0) {
                LOG.warn("{}", report.describe());
            } else {
                LOG.info("{}", report.describe());
            }
            observer.syncSucceeded(report);
            failures = 0;
            retryAt = Long.MAX_VALUE;
            lastSuccessNanos = clock.nanoTime();
            if (full) {
                nextFull = lastSuccessNanos + syncPeriod.toNanos();
            }
            if (dataplane.wantsFollowUp()) {
                synchronized (lock) {
                    markPending();
                }
            }
        } catch (RuntimeException e) {
            failures++;
            observer.syncFailed(e);
            long backoff = backoff(failures).toNanos();
            retryAt = clock.nanoTime() + backoff;
            synchronized (lock) {
                fullPending = true;
            }
            if (e instanceof DataplaneException de) {
                LOG.error("sync failed (attempt {}), retrying in {} ms: {}{}", failures, backoff / 1_000_000,
                        de.getMessage(), de.context().isEmpty() ? "" : "\n" + de.context());
            } else {
                LOG.error("sync failed (attempt {}), retrying in {} ms: {}", failures, backoff / 1_000_000,
                        e.toString());
            }
        }
    }

    /** minSyncPeriod doubling per failure (at least 1 s), capped at syncPeriod. */
    Duration backoff(int failures) {
        long base = Math.max(1000, minSyncPeriod.toMillis());
        long millis = base << Math.min(failures - 1, 20);
        return Duration.ofMillis(Math.min(millis, Math.max(base, syncPeriod.toMillis())));
    }
}
