package io.svcproxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.dataplane.SyncReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

class ProxyHealthTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final ProxyHealth health = new ProxyHealth(clock, Duration.ofSeconds(60));

    private static SyncReport ok(Duration took) {
        return new SyncReport(false, List.of(), 0, took);
    }

    @Test
    void healthyAtStartWithNothingQueued() {
        clock.advance(Duration.ofHours(1));
        assertTrue(health.isHealthy());
        assertTrue(health.status().nodeEligible());
        assertEquals(Instant.EPOCH, health.status().lastUpdated());
    }

    @Test
    void aQueuedChangeIsFineUntilTheTimeoutThenUnhealthyUntilASyncCoversIt() {
        health.syncQueued();
        clock.advance(Duration.ofSeconds(59));
        assertTrue(health.isHealthy(), "younger than the timeout");
        clock.advance(Duration.ofSeconds(1));
        assertFalse(health.isHealthy(), "oldest queued change as old as the timeout");
        health.syncSucceeded(ok(Duration.ofMillis(10)));
        assertTrue(health.isHealthy());
        assertEquals(clock.instant(), health.status().lastUpdated());
    }

    @Test
    void laterQueuedChangesDoNotResetTheOldest() {
        health.syncQueued();
        clock.advance(Duration.ofSeconds(40));
        health.syncQueued();
        clock.advance(Duration.ofSeconds(30));
        assertFalse(health.isHealthy(), "the first change is 70 s old");
    }

    @Test
    void failedSyncsDoNotClearTheQueue() {
        health.syncQueued();
        clock.advance(Duration.ofSeconds(30));
        health.syncFailed(new RuntimeException("boom"));
        clock.advance(Duration.ofSeconds(31));
        assertFalse(health.isHealthy());
    }

    @Test
    void aChangeQueuedWhileASyncRanStaysQueued() {
        clock.advance(Duration.ofSeconds(5));
        health.syncQueued(); // arrives 5 s after the sync below started
        clock.advance(Duration.ofSeconds(5));
        health.syncSucceeded(ok(Duration.ofSeconds(10)));
        clock.advance(Duration.ofSeconds(56));
        assertFalse(health.isHealthy(), "the change was not in that sync; it is 61 s old");
        health.syncSucceeded(ok(Duration.ofMillis(1)));
        assertTrue(health.isHealthy());
    }

    @Test
    void nodeEligibilityFromTheSourceAndFromTheSnapshot() {
        health.setNodeEligible(false);
        assertFalse(health.status().nodeEligible());
        assertTrue(health.isHealthy(), "the proxy itself is fine");
        health.setNodeEligible(true);
        assertTrue(health.status().nodeEligible());

        ClusterSnapshot deleting = TestSnapshots.snapshot(Map.of(), true);
        health.syncSucceeded(new SyncReport(false, List.of(), 0, Duration.ZERO, deleting, List.of()));
        assertFalse(health.status().nodeEligible());
        health.syncSucceeded(new SyncReport(false, List.of(), 0, Duration.ZERO, TestSnapshots.snapshot(Map.of()),
                List.of()));
        assertTrue(health.status().nodeEligible());
    }

    @Test
    void timeoutIsTwiceTheSyncPeriodAndPositive() {
        assertEquals(Duration.ofSeconds(60), ProxyHealth.forSyncPeriod(Duration.ofSeconds(30)).healthTimeout());
        assertThrows(IllegalArgumentException.class, () -> new ProxyHealth(clock, Duration.ZERO));
    }
}
