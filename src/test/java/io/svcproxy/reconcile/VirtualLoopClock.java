package io.svcproxy.reconcile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Virtual time for {@link SyncLoop}: a wait returns at once, having jumped to its deadline or to the
 * next scheduled event before it (which it runs, as a change notification would arrive). The loop
 * runs on the test's thread and is stopped when time reaches the end, so a test is exact and instant.
 */
final class VirtualLoopClock implements LoopClock {
    private final long end;
    private final TreeMap<Long, List<Runnable>> events = new TreeMap<>();
    private SyncLoop loop;
    private long now;

    VirtualLoopClock(Duration end) {
        this.end = end.toNanos();
    }

    /** The loop to stop at the end (set before it runs). */
    void stopsAtEnd(SyncLoop loop) {
        this.loop = loop;
    }

    /** Runs {@code event} when virtual time reaches {@code at}. */
    void at(Duration at, Runnable event) {
        events.computeIfAbsent(at.toNanos(), t -> new ArrayList<>()).add(event);
    }

    /** For a sync that takes time. */
    void advance(Duration d) {
        now += d.toNanos();
    }

    Duration now() {
        return Duration.ofNanos(now);
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void await(Object lock, long nanos) {
        long deadline = now + nanos;
        Map.Entry<Long, List<Runnable>> next = events.firstEntry();
        if (next != null && next.getKey() <= deadline && next.getKey() < end) {
            events.pollFirstEntry();
            now = Math.max(now, next.getKey());
            next.getValue().forEach(Runnable::run);
        } else if (deadline >= end) {
            now = end;
            loop.stop();
        } else {
            now = deadline;
        }
    }
}
