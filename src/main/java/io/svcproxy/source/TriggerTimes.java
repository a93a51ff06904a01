package io.svcproxy.source;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * EndpointSlice {@code endpoints.kubernetes.io/last-change-trigger-time} annotations seen since the
 * last sync took them, for network programming latency. Bounded: a sync that never comes does not
 * grow it without limit (the oldest are dropped).
 */
final class TriggerTimes {
    static final String ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";
    static final int MAX_QUEUED = 10_000;

    private final ConcurrentLinkedQueue<Instant> queue = new ConcurrentLinkedQueue<>();
    private volatile Instant notBefore = Instant.MIN;

    /** The annotation's instant (RFC 3339), if present and valid. */
    static Optional<Instant> parse(Map<String, String> annotations) {
        if (annotations == null) {
            return Optional.empty();
        }
        String value = annotations.get(ANNOTATION);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.time.OffsetDateTime.parse(value.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Times before {@code instant} are dropped from now on: a (re)list delivers every object, and the
     * changes already programmed (or made before this proxy started) are not new.
     */
    void ignoreBefore(Instant instant) {
        notBefore = instant;
    }

    void record(Map<String, String> annotations) {
        parse(annotations).filter(t -> !t.isBefore(notBefore)).ifPresent(t -> {
            queue.add(t);
            while (queue.size() > MAX_QUEUED) {
                queue.poll();
            }
        });
    }

    /** Returns and clears the queued instants, oldest first. */
    List<Instant> take() {
        List<Instant> out = new ArrayList<>();
        for (Instant t; (t = queue.poll()) != null; ) {
            out.add(t);
        }
        return out;
    }
}
