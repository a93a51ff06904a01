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

    void record(Map<String, String> annotations) {
        parse(annotations).ifPresent(t -> {
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
