package io.svcproxy.diff.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * kube-proxy's graceful-termination list as a value: the destinations set to weight 0 and waiting
 * for their connections to end, keyed by kube-proxy's unique name "VS/RS" (e.g.
 * "TCP 10.96.0.10:53/10.244.1.5:53"), with the time (ms) draining started. Each diff returns the next one.
 */
public record DrainState(SortedMap<String, Long> since) {

    public DrainState {
        since = Collections.unmodifiableSortedMap(new TreeMap<>(since));
    }

    public static DrainState empty() {
        return new DrainState(new TreeMap<>());
    }

    public static String id(VirtualServer.Key service, RealServer destination) {
        return service + "/" + destination.key();
    }

    public boolean draining(VirtualServer.Key service, RealServer destination) {
        return since.containsKey(id(service, destination));
    }

    public boolean isEmpty() {
        return since.isEmpty();
    }

    static DrainState of(Map<String, Long> map) {
        return new DrainState(new TreeMap<>(map));
    }
}
