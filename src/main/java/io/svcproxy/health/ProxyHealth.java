package io.svcproxy.health;

import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.reconcile.SyncObserver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * kube-proxy's proxier health: healthy while no change is queued, or the last successful sync is
 * newer than the oldest queued change, or that change is younger than the health timeout (kube-proxy
 * uses 2 x syncPeriod). It starts healthy. Separately, the node is "eligible" unless it is being
 * deleted (or tainted for deletion): /healthz reports both, /livez only the proxy's health.
 *
 * <p>One refinement over kube-proxy: a change queued while a sync was running (after it took its
 * snapshot) stays queued when that sync succeeds, so it cannot be lost.
 */
public final class ProxyHealth implements SyncObserver {
    /**
     * What /healthz and /livez report. {@code sourceProblem}: why the rules cannot follow the desired
     * state right now (the API server refuses a list or watch), if so; /healthz is then 503.
     */
    public record Status(boolean healthy, Instant lastUpdated, Instant currentTime, boolean nodeEligible,
                         Optional<String> sourceProblem) {
        public Status(boolean healthy, Instant lastUpdated, Instant currentTime, boolean nodeEligible) {
            this(healthy, lastUpdated, currentTime, nodeEligible, Optional.empty());
        }
    }

    private final Clock clock;
    private final Duration healthTimeout;
    private final AtomicReference<Instant> oldestQueued = new AtomicReference<>();
    private volatile Instant lastUpdated = Instant.EPOCH;
    private volatile boolean sourceEligible = true;
    private volatile boolean snapshotDeleting;
    private volatile Supplier<Optional<String>> sourceProblem = Optional::empty;

    public ProxyHealth(Clock clock, Duration healthTimeout) {
        if (healthTimeout.isNegative() || healthTimeout.isZero()) {
            throw new IllegalArgumentException("health timeout must be positive");
        }
        this.clock = clock;
        this.healthTimeout = healthTimeout;
    }

    /** kube-proxy's health timeout for a sync period: twice the period. */
    public static ProxyHealth forSyncPeriod(Duration syncPeriod) {
        return new ProxyHealth(Clock.systemUTC(), syncPeriod.multipliedBy(2));
    }

    @Override
    public void syncQueued() {
        oldestQueued.compareAndSet(null, clock.instant());
    }

    @Override
    public void syncSucceeded(SyncReport report) {
        Instant now = clock.instant();
        Instant syncStart = now.minus(report.took());
        // Changes queued before this sync started are in it; later ones wait for the next sync.
        oldestQueued.updateAndGet(q -> q != null && q.isAfter(syncStart) ? q : null);
        lastUpdated = now;
        snapshotDeleting = report.snapshot().node().map(NodeInfo::deleting).orElse(false);
    }

    /**
     * The source's word on this node: false while it is being deleted or carries the cluster
     * autoscaler's ToBeDeletedByClusterAutoscaler taint (kube-proxy's "node eligible").
     */
    public void setNodeEligible(boolean eligible) {
        this.sourceEligible = eligible;
    }

    /**
     * The source's word on whether it can follow the desired state: a refused list or watch leaves the
     * rules as they were, which no sync timing shows, so /healthz says so (not /livez: a restart cannot fix RBAC).
     */
    public void setSourceProblem(Supplier<Optional<String>> problem) {
        this.sourceProblem = problem;
    }

    public boolean nodeEligible() {
        return sourceEligible && !snapshotDeleting;
    }

    /** The proxy's own health, ignoring the node (what /livez and the health-check node ports use). */
    public boolean isHealthy() {
        return status().healthy();
    }

    public Status status() {
        Instant now = clock.instant();
        Instant queued = oldestQueued.get();
        Instant updated = lastUpdated;
        // A successful sync clears the changes it covered, so "queued" is only ever newer than it.
        boolean healthy = queued == null || Duration.between(queued, now).compareTo(healthTimeout) < 0;
        return new Status(healthy, updated, now, nodeEligible(), sourceProblem.get());
    }

    public Duration healthTimeout() {
        return healthTimeout;
    }
}
