package io.svcproxy.model;

import java.time.Instant;
import java.util.Objects;

/**
 * When a change the proxy is to program was made (an EndpointSlice's
 * {@code endpoints.kubernetes.io/last-change-trigger-time}), and the address family of that slice:
 * network programming latency is observed for that family only, as kube-proxy's per-family proxiers
 * each see only their own family's slices.
 */
public record TriggerTime(IpFamily family, Instant at) {
    public TriggerTime {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(at, "at");
    }
}
