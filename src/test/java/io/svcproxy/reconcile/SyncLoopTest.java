package io.svcproxy.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Timing-tolerant checks of the loop's policy: only orderings and counts, never wall-clock bounds. */
class SyncLoopTest {

    private static SyncReport ok(boolean full) {
        return new SyncReport(full, List.of(), 0, Duration.ZERO);
    }

    private static Thread start(SyncLoop loop) {
        Thread t = new Thread(loop, "sync-loop-test");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(25);
        }
        assertTrue(condition.getAsBoolean(), "condition not reached within 5 s");
    }

    @Test
    void firstSyncIsFullAndABurstOfChangesIsCoalesced() throws Exception {
        List<Boolean> syncs = new CopyOnWriteArrayList<>();
        SyncLoop loop = new SyncLoop(full -> {
            syncs.add(full);
            return ok(full);
        }, Duration.ofMillis(300), Duration.ofHours(1), Duration.ofHours(1), () -> true);
        Thread t = start(loop);
        await(() -> syncs.size() == 1);
        for (int i = 0; i < 50; i++) {
            loop.requestSync();
        }
        await(() -> syncs.size() >= 2);
        Thread.sleep(700);
        loop.stop();
        t.join(2000);
        assertEquals(true, syncs.get(0), "the first sync reads the kernel");
        assertEquals(false, syncs.get(1), "a change needs only a partial sync");
        assertTrue(syncs.size() <= 3, "50 requests coalesced into at most 2 syncs: " + syncs);
    }

    @Test
    void aFailureIsRetriedAsAFullSync() throws Exception {
        List<Boolean> syncs = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        SyncLoop loop = new SyncLoop(full -> {
            syncs.add(full);
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("iptables-restore refused");
            }
            return ok(full);
        }, Duration.ofMillis(10), Duration.ofHours(1), Duration.ofHours(1), () -> true);
        Thread t = start(loop);
        await(() -> syncs.size() == 1);
        loop.requestSync();
        await(() -> syncs.size() >= 3);
        loop.stop();
        t.join(2000);
        assertEquals(List.of(true, false, true), syncs.subList(0, 3));
    }

    @Test
    void aMissingCanaryTriggersAFullSync() throws Exception {
        List<Boolean> syncs = new CopyOnWriteArrayList<>();
        AtomicBoolean canary = new AtomicBoolean(true);
        SyncLoop loop = new SyncLoop(full -> {
            syncs.add(full);
            canary.set(true);
            return ok(full);
        }, Duration.ofMillis(10), Duration.ofHours(1), Duration.ofMillis(50), canary::get);
        Thread t = start(loop);
        await(() -> syncs.size() == 1);
        canary.set(false);
        await(() -> syncs.size() == 2);
        loop.stop();
        t.join(2000);
        assertEquals(true, syncs.get(1));
    }

    @Test
    void backoffDoublesAndIsCappedAtTheSyncPeriod() {
        SyncLoop loop = new SyncLoop(SyncLoopTest::ok, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(5), () -> true);
        assertEquals(Duration.ofSeconds(1), loop.backoff(1));
        assertEquals(Duration.ofSeconds(2), loop.backoff(2));
        assertEquals(Duration.ofSeconds(16), loop.backoff(5));
        assertEquals(Duration.ofSeconds(30), loop.backoff(9));
    }
}
