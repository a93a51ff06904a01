package io.svcproxy.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The loop's policy on virtual time: which syncs run, exactly when, and whether each is full. */
class SyncLoopTest {
    private static final Duration HOUR = Duration.ofHours(1);

    /** One sync the loop ran: when (virtual time) and whether it was full. */
    private record Sync(Duration at, boolean full) {
        static Sync full(long millis) {
            return new Sync(Duration.ofMillis(millis), true);
        }

        static Sync partial(long millis) {
            return new Sync(Duration.ofMillis(millis), false);
        }
    }

    /** Records each sync; fails the ones {@code fails} picks (1-based call number); its canary is the test's to remove. */
    private static final class ScriptedDataplane implements Dataplane {
        final List<Sync> syncs = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        final VirtualLoopClock clock;
        final Predicate<Integer> fails;
        boolean canary = true;
        Duration syncTakes = Duration.ZERO;

        ScriptedDataplane(VirtualLoopClock clock, Predicate<Integer> fails) {
            this.clock = clock;
            this.fails = fails;
        }

        @Override
        public List<IpFamily> families() {
            return List.of(IpFamily.V4);
        }

        @Override
        public SyncReport sync(boolean full) {
            syncs.add(new Sync(clock.now(), full));
            clock.advance(syncTakes);
            canary = true;   // a sync puts the canary back
            if (fails.test(syncs.size())) {
                throw new IllegalStateException("refused");
            }
            return new SyncReport(full, List.of(), 0, Duration.ZERO);
        }

        @Override
        public String canary() {
            return "chain TEST-CANARY";
        }

        @Override
        public boolean canaryPresent() {
            return canary;
        }
    }

    private static SyncLoop loop(ScriptedDataplane dataplane, Duration minSyncPeriod, Duration syncPeriod,
                                 Duration canaryPeriod) {
        SyncLoop loop = new SyncLoop(dataplane, minSyncPeriod, syncPeriod, canaryPeriod, dataplane.clock);
        dataplane.clock.stopsAtEnd(loop);
        loop.setObserver(new SyncObserver() {
            @Override
            public void syncFailed(Throwable error) {
                dataplane.failures.add(error);
            }
        });
        return loop;
    }

    @Test
    void firstSyncIsFullAndABurstOfChangesIsCoalescedUntilMinSyncPeriod() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(300), HOUR, HOUR);
        clock.at(Duration.ofMillis(100), () -> {
            for (int i = 0; i < 50; i++) {
                loop.requestSync();
            }
        });
        loop.run();
        assertEquals(List.of(Sync.full(0), Sync.partial(300)), dataplane.syncs,
                "the first sync reads the kernel; 50 changes wait for minSyncPeriod and become one partial sync");
    }

    @Test
    void aFailureIsRetriedAsAFullSyncWithDoublingBackoff() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(5));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> n == 2 || n == 3);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(10), HOUR, HOUR);
        clock.at(Duration.ofMillis(5), loop::requestSync);
        loop.run();
        // backoff: 1 s (minSyncPeriod, at least 1 s), then 2 s
        assertEquals(List.of(Sync.full(0), Sync.partial(10), Sync.full(1010), Sync.full(3010)), dataplane.syncs);
        assertEquals(2, dataplane.failures.size());
    }

    @Test
    void aMissingCanaryTriggersAFullSyncAtTheNextCheck() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(1));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(10), HOUR, Duration.ofMillis(50));
        clock.at(Duration.ofMillis(120), () -> dataplane.canary = false);
        loop.run();
        assertEquals(List.of(Sync.full(0), Sync.full(150)), dataplane.syncs);
    }

    @Test
    void aFullSyncRunsEverySyncPeriodAfterTheLastFullOne() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofMillis(2500));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(10), Duration.ofSeconds(1), HOUR);
        clock.at(Duration.ofMillis(400), loop::requestSync);
        loop.run();
        assertEquals(List.of(Sync.full(0), Sync.partial(400), Sync.full(1000), Sync.full(2000)), dataplane.syncs);
    }

    @Test
    void minSyncPeriodCountsFromTheStartOfTheLastSync() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        dataplane.syncTakes = Duration.ofMillis(200);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(500), HOUR, HOUR);
        clock.at(Duration.ofMillis(250), loop::requestSync);
        loop.run();
        assertEquals(List.of(Sync.full(0), Sync.partial(500)), dataplane.syncs);
    }

    @Test
    void backoffDoublesAndIsCappedAtTheSyncPeriod() {
        SyncLoop loop = new SyncLoop(new ScriptedDataplane(new VirtualLoopClock(HOUR), n -> false),
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(1), loop.backoff(1));
        assertEquals(Duration.ofSeconds(2), loop.backoff(2));
        assertEquals(Duration.ofSeconds(16), loop.backoff(5));
        assertEquals(Duration.ofSeconds(30), loop.backoff(9));
    }
}
