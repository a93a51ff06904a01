package io.svcproxy.e2e;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling: proxies converge asynchronously, so the suite samples until a sample satisfies a
 * condition, at most until a deadline, and fails with the last sample otherwise.
 */
public final class Eventually {
    private static final Duration PAUSE = Duration.ofMillis(200);

    private Eventually() {
    }

    /** Samples until ok holds (returning that sample) or bound passes (AssertionError with what and the last sample). */
    public static <T> T await(String what, Duration bound, Supplier<T> sample, Predicate<T> ok) {
        long deadline = System.nanoTime() + bound.toNanos();
        T last = null;
        for (int i = 0; i < 100_000; i++) {   // bounded by count too
            last = sample.get();
            if (ok.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("not within " + bound + ": " + what + "; last: " + last);
    }
}
