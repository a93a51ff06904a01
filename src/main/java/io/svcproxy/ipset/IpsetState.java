package io.svcproxy.ipset;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** A set of ipsets by name (desired, or as read back with "ipset save"). */
public record IpsetState(SortedMap<String, Ipset> sets) {

    public IpsetState {
        sets = Collections.unmodifiableSortedMap(new TreeMap<>(sets));
    }

    public static IpsetState empty() {
        return new IpsetState(new TreeMap<>());
    }

    public static IpsetState of(Collection<Ipset> sets) {
        TreeMap<String, Ipset> map = new TreeMap<>();
        for (Ipset s : sets) {
            if (map.put(s.name(), s) != null) {
                throw new IllegalArgumentException("ipset " + s.name() + " given twice");
            }
        }
        return new IpsetState(map);
    }

    public Ipset get(String name) {
        return sets.get(name);
    }

    /** Both states' sets, in one (for a dual-stack node: the IPv4 and the KUBE-6- sets). */
    public IpsetState merge(IpsetState other) {
        TreeMap<String, Ipset> map = new TreeMap<>(sets);
        for (Ipset s : other.sets.values()) {
            if (map.put(s.name(), s) != null) {
                throw new IllegalArgumentException("ipset " + s.name() + " in both states");
            }
        }
        return new IpsetState(map);
    }
}
