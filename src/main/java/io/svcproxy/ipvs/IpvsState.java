package io.svcproxy.ipvs;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The IPVS side of a node (desired or as read from the kernel): virtual services with their
 * destinations, and the addresses bound to the dummy interface kube-ipvs0 (so the node accepts
 * packets for them).
 */
public record IpvsState(SortedMap<VirtualServer.Key, VirtualServer> services,
                        Map<VirtualServer.Key, List<RealServer>> destinations,
                        Set<InetAddress> boundAddresses) {

    public IpvsState {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        destinations = Map.copyOf(destinations);
        boundAddresses = Set.copyOf(boundAddresses);
    }

    public static IpvsState empty() {
        return new IpvsState(new TreeMap<>(), Map.of(), Set.of());
    }

    public List<RealServer> destinationsOf(VirtualServer.Key key) {
        return destinations.getOrDefault(key, List.of());
    }
}
