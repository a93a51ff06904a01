package io.svcproxy.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Watches whether the API watches are up and logs once per state change (connected, disconnected,
 * reconnected), never once per retry. A watch that is down for one poll only (the server closing
 * it, an immediate re-watch) is not an outage: two polls in a row are needed. After a reconnect,
 * {@code onReconnect} runs (the informers relist on their own; the caller resyncs).
 */
final class ConnectionWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWatchdog.class);

    enum State { CONNECTED, DISCONNECTED }

    private final BooleanSupplier watching;
    private final Runnable onReconnect;
    private final String endpoint;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-watchdog");
        t.setDaemon(true);
        return t;
    });
    private State state = State.CONNECTED;
    private int downPolls;
    private volatile String lastError = "";

    ConnectionWatchdog(BooleanSupplier watching, Runnable onReconnect, String endpoint) {
        this.watching = watching;
        this.onReconnect = onReconnect;
        this.endpoint = endpoint;
    }

    void start(long pollMillis) {
        timer.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    /** The latest error the informers reported (shown in the disconnect line). */
    void error(Throwable t) {
        lastError = t == null ? "" : Texts.oneLine(String.valueOf(t.getMessage() == null ? t : t.getMessage()));
    }

    synchronized State state() {
        return state;
    }

    synchronized void poll() {
        boolean up;
        try {
            up = watching.getAsBoolean();
        } catch (RuntimeException e) {
            up = false;
        }
        if (up) {
            downPolls = 0;
            if (state == State.DISCONNECTED) {
                state = State.CONNECTED;
                LOG.info("API server {} reconnected: relisting and resyncing", endpoint);
                try {
                    onReconnect.run();
                } catch (RuntimeException e) {
                    LOG.warn("resync after reconnect failed: {}", e.toString());
                }
            }
            return;
        }
        if (state == State.CONNECTED && ++downPolls >= 2) {
            state = State.DISCONNECTED;
            LOG.warn("API server {} disconnected{}: keeping the last known state and rules, retrying",
                    endpoint, lastError.isEmpty() ? "" : " (" + lastError + ")");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
