package io.svcproxy.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Probes the API server and logs once per state change (connected, disconnected, reconnected),
 * never once per retry. One failed probe may be a blip: two in a row are an outage. After an outage
 * {@code resync} runs (a relist); until it succeeds the state stays disconnected and it is retried
 * at the next probe.
 *
 * <p>The informers' own watch state cannot be used: their watches reconnect internally and report
 * "watching" throughout an outage.
 */
final class ConnectionWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWatchdog.class);

    enum State { CONNECTED, DISCONNECTED }

    private final BooleanSupplier reachable;
    private final BooleanSupplier resync;
    private final String endpoint;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-watchdog");
        t.setDaemon(true);
        return t;
    });
    private volatile State state = State.CONNECTED;
    private int failedProbes;
    private volatile String lastError = "";
    private volatile java.time.Instant lastReachable = java.time.Instant.now();

    ConnectionWatchdog(BooleanSupplier reachable, BooleanSupplier resync, String endpoint) {
        this.reachable = reachable;
        this.resync = resync;
        this.endpoint = endpoint;
    }

    void start(long pollMillis) {
        timer.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    /** The latest error seen (shown in the disconnect line). */
    void error(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        lastError = Texts.oneLine(root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()));
    }

    /** When the API server last answered before the current outage (or now, when connected). */
    java.time.Instant lastReachable() {
        return lastReachable;
    }

    State state() {
        return state;
    }

    void poll() {
        boolean up;
        try {
            up = reachable.getAsBoolean();
        } catch (RuntimeException e) {
            error(e);
            up = false;
        }
        if (!up) {
            if (state == State.CONNECTED && ++failedProbes >= 2) {
                state = State.DISCONNECTED;
                LOG.warn("API server {} unreachable{}: keeping the last known state and the rules; retrying",
                        endpoint, lastError.isEmpty() ? "" : " (" + lastError + ")");
            }
            return;
        }
        failedProbes = 0;
        if (state == State.CONNECTED) {
            lastReachable = java.time.Instant.now();
        }
        if (state == State.DISCONNECTED) {
            boolean done;
            try {
                done = resync.getAsBoolean();
            } catch (RuntimeException e) {
                error(e);
                LOG.debug("relist after reconnect failed", e);
                done = false;
            }
            if (done) {
                state = State.CONNECTED;
                LOG.info("API server {} reachable again: relisted, resyncing", endpoint);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
