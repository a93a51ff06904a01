package io.svcproxy.reconcile;

import io.svcproxy.dataplane.SyncReport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/** Several observers as one (health, metrics, health-check node ports); one that throws is logged, not fatal. */
public final class CompositeSyncObserver implements SyncObserver {
    private static final Logger LOG = LoggerFactory.getLogger(CompositeSyncObserver.class);
    private final List<SyncObserver> observers;

    public CompositeSyncObserver(List<SyncObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    public static SyncObserver of(SyncObserver... observers) {
        return new CompositeSyncObserver(List.of(observers));
    }

    @Override
    public void syncQueued() {
        each(SyncObserver::syncQueued);
    }

    @Override
    public void syncSucceeded(SyncReport report) {
        each(o -> o.syncSucceeded(report));
    }

    @Override
    public void syncFailed(Throwable error) {
        each(o -> o.syncFailed(error));
    }

    private void each(Consumer<SyncObserver> call) {
        for (SyncObserver o : observers) {
            try {
                call.accept(o);
            } catch (RuntimeException e) {
                LOG.warn("sync observer {} failed: {}", o.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
