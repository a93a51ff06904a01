package io.svcproxy.source;

import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the endpoints of a service port across all its slices, one per endpoint string
 * (ip:port). When two slices disagree about the same endpoint (e.g. during a slice rollover) the
 * ready one wins, so traffic is not dropped for a backend that some slice still reports ready.
 */
final class EndpointMerger {
    private final Map<ServicePortName, Map<String, Endpoint>> byPort = new TreeMap<>();

    void add(Map<ServicePortName, List<Endpoint>> endpoints) {
        endpoints.forEach((spn, list) -> {
            Map<String, Endpoint> merged = byPort.computeIfAbsent(spn, k -> new TreeMap<>());
            for (Endpoint e : list) {
                merged.merge(e.toString(), e, (old, neu) -> !old.ready() && neu.ready() ? neu : old);
            }
        });
    }

    Map<ServicePortName, List<Endpoint>> result() {
        Map<ServicePortName, List<Endpoint>> result = new TreeMap<>();
        byPort.forEach((spn, merged) -> result.put(spn, new ArrayList<>(merged.values())));
        return result;
    }
}
