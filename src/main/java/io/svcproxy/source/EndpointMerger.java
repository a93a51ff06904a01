package io.svcproxy.source;

import io.svcproxy.model.Endpoint;

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
    private EndpointMerger() {
    }

    /** One service port's endpoints from its slices' lists (in slice order), by endpoint string. */
    static List<Endpoint> merge(List<List<Endpoint>> lists) {
        Map<String, Endpoint> merged = new TreeMap<>();
        for (List<Endpoint> list : lists) {
            for (Endpoint e : list) {
                merged.merge(e.toString(), e, (old, neu) -> !old.ready() && neu.ready() ? neu : old);
            }
        }
        return new ArrayList<>(merged.values());
    }
}
