package io.svcproxy.source;

import io.svcproxy.model.IpFamily;
import io.svcproxy.model.TriggerTime;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * EndpointSlice {@code endpoints.kubernetes.io/last-change-trigger-time} annotations seen since the
 * last sync took them, each with the slice's address family (IPv4 or IPv6; an FQDN slice, which no
 * family programs, has none), for network programming latency. Bounded: a sync that never comes does not
 * grow it without limit (the oldest are dropped).
 */
final class TriggerTimes {
    static final String ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";
    static final int MAX_QUEUED = 10_000;

    private final ConcurrentLinkedQueue<TriggerTime> queue = new ConcurrentLinkedQueue<>();
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

    /** The trigger time of a slice of {@code addressType} ("IPv4", "IPv6"; any other is ignored). */
    void record(String addressType, Map<String, String> annotations) {
        IpFamily family = "IPv4".equals(addressType) ? IpFamily.V4 : "IPv6".equals(addressType) ? IpFamily.V6 : null;
        if (family == null) {
            return;
        }
        parse(annotations).filter(t -> !t.isBefore(notBefore)).ifPresent(t -> {
            queue.add(new TriggerTime(family, t));
            while (queue.size() > MAX_QUEUED) {
                queue.poll();
            }
        });
    }

    /** Returns and clears the queued instants, oldest first. */
    List<TriggerTime> take() {
        List<TriggerTime> out = new ArrayList<>();
        for (TriggerTime t; (t = queue.poll()) != null; ) {
            out.add(t);
        }
        return out;
    }
}
