package io.svcproxy.reconcile;

/**
 * The sync loop's clock and scheduler: a monotonic clock, and a timed wait on the loop's lock that a
 * change notification ends early. Injected so the loop's tests run on virtual time, exact and instant.
 */
public interface LoopClock {
    /** Nanoseconds, monotonic (as {@link System#nanoTime()}). */
    long nanoTime();

    /**
     * Waits on {@code lock} (whose monitor the caller holds) for up to {@code nanos}, or until it is
     * notified; may return early (the loop re-checks what is due).
     */
    void await(Object lock, long nanos) throws InterruptedException;

    /** Real time: {@link System#nanoTime()} and {@link Object#wait(long)} in whole milliseconds (at least 1). */
    LoopClock SYSTEM = new LoopClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void await(Object lock, long nanos) throws InterruptedException {
            lock.wait(Math.max(1, nanos / 1_000_000));
        }
    };
}
