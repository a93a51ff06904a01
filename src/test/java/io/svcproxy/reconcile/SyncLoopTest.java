package io.svcproxy.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        /** Call numbers after which the dataplane says it left work for a later sync. */
        Predicate<Integer> followUpAfter = n -> false;

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
        public boolean wantsFollowUp() {
            return followUpAfter.test(syncs.size());
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
        return loop(dataplane, minSyncPeriod, syncPeriod, canaryPeriod, Duration.ZERO);
    }

    private static SyncLoop loop(ScriptedDataplane dataplane, Duration minSyncPeriod, Duration syncPeriod,
                                 Duration canaryPeriod, Duration settle) {
        SyncLoop loop = new SyncLoop(dataplane, minSyncPeriod, syncPeriod, canaryPeriod, settle, dataplane.clock);
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
    void afterAQuietSpellAChangeIsSyncedAtOnceAndTheBurstBehindItWaitsForItsToken() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(300), HOUR, HOUR);
        clock.at(Duration.ofMillis(100), () -> {
            for (int i = 0; i < 50; i++) {
                loop.requestSync();
            }
        });
        clock.at(Duration.ofMillis(150), loop::requestSync);
        loop.run();
        // Bucket of 2 tokens, one back per 300 ms: the full sync at 0 leaves 1, which is 1.33 at 100 ms;
        // the 50 changes then are one partial sync at once (0.33 left); the change at 150 ms (0.5)
        // waits for a whole token: at 300 ms.
        assertEquals(List.of(Sync.full(0), Sync.partial(100), Sync.partial(300)), dataplane.syncs,
                "the first sync reads the kernel; the changes then follow at once, then at the rate");
    }

    @Test
    void changesBackToBackWithinTheSettleTimeAreOneSyncStartedSettleAfterTheFirst() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(1000), HOUR, HOUR, Duration.ofMillis(15));
        clock.at(Duration.ofMillis(100), loop::requestSync);   // a Service
        clock.at(Duration.ofMillis(106), loop::requestSync);   // its EndpointSlice
        clock.at(Duration.ofMillis(1500), loop::requestSync);  // a change on its own, later
        loop.run();
        // The first sync (startup) does not wait; each change then waits 15 ms from the first it takes.
        assertEquals(List.of(Sync.full(0), Sync.partial(115), Sync.partial(1515)), dataplane.syncs,
                "the Service and its slice are one sync, 15 ms after the Service");
    }

    @Test
    void theSettleTimeDoesNotAddToTheWaitForAToken() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(300), HOUR, HOUR, Duration.ofMillis(15));
        clock.at(Duration.ofMillis(100), loop::requestSync);
        clock.at(Duration.ofMillis(200), loop::requestSync);
        loop.run();
        // Tokens: 2 at 0, 1 after the full sync, 1.38 at 115 (sync, 0.38 left), a whole one again at 300:
        // the change at 200 settled by 215 and runs when its token is there, not 15 ms after that.
        assertEquals(List.of(Sync.full(0), Sync.partial(115), Sync.partial(300)), dataplane.syncs);
    }

    @Test
    void underChurnSyncsRunAtMostOncePerMinSyncPeriodPlusTheBurst() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(3));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(300), HOUR, HOUR);
        for (int t = 10; t < 3000; t += 10) {
            clock.at(Duration.ofMillis(t), loop::requestSync);
        }
        loop.run();
        // 299 changes over 3 s: the bucket allows 2 at once, then one per 300 ms (at most 3000/300 more).
        assertTrue(dataplane.syncs.size() <= SyncLoop.BURST + 10, dataplane.syncs.toString());
        for (int i = 0; i < dataplane.syncs.size(); i++) {
            long at = dataplane.syncs.get(i).at().toMillis();
            assertTrue(i + 1 <= SyncLoop.BURST + at / 300,
                    "by " + at + " ms at most the burst plus one sync per 300 ms: " + dataplane.syncs);
        }
    }

    @Test
    void workLeftForALaterSyncIsQueuedAndRunsAfterMinSyncPeriod() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        dataplane.followUpAfter = n -> n == 1;   // the first sync flushed stale chains the next one deletes
        SyncLoop loop = loop(dataplane, Duration.ofMillis(300), HOUR, HOUR);
        loop.run();
        assertEquals(List.of(Sync.full(0), Sync.partial(0)), dataplane.syncs,
                "one follow-up (the bucket's second token), no change needed to trigger it, and none after it");
    }

    @Test
    void aFailureIsRetriedAsAFullSyncWithDoublingBackoff() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(5));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> n == 2 || n == 3);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(10), HOUR, HOUR);
        clock.at(Duration.ofMillis(5), loop::requestSync);
        loop.run();
        // the change at 5 ms is synced at once (a token is left); it fails; backoff: 1 s (minSyncPeriod,
        // at least 1 s), then 2 s
        assertEquals(List.of(Sync.full(0), Sync.partial(5), Sync.full(1005), Sync.full(3005)), dataplane.syncs);
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
    void tokensAreTakenAtTheStartOfASync() {
        VirtualLoopClock clock = new VirtualLoopClock(Duration.ofSeconds(2));
        ScriptedDataplane dataplane = new ScriptedDataplane(clock, n -> false);
        dataplane.syncTakes = Duration.ofMillis(200);
        SyncLoop loop = loop(dataplane, Duration.ofMillis(500), HOUR, HOUR);
        clock.at(Duration.ofMillis(250), loop::requestSync);
        clock.at(Duration.ofMillis(700), loop::requestSync);
        loop.run();
        // 0: full (2 -> 1 token); 250: partial (1.5 -> 0.5); 700: 0.5 + 0.9 = 1.4 -> runs at once
        assertEquals(List.of(Sync.full(0), Sync.partial(250), Sync.partial(700)), dataplane.syncs);
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
