package io.svcproxy.nftables;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What may differ between a table and the next plan of it, when the table is the previous plan as
 * written and the planner knows which service ports it re-planned: their chains and sets (old and
 * new names), the keys they added to or took from the shared sets, and stale chains an earlier
 * batch flushed. Everything outside it is the same object in both, so a diff given a scope looks at
 * nothing else: a change costs what it touches, whatever the table's size.
 */
public record NftScope(Set<String> chains, Set<String> sets, Map<String, Set<Bytes>> keys) {
    public static final NftScope NOTHING = new NftScope(Set.of(), Set.of(), Map.of());

    public NftScope {
        chains = Set.copyOf(chains);
        sets = Set.copyOf(sets);
        Map<String, Set<Bytes>> copy = new LinkedHashMap<>();
        keys.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
        keys = Collections.unmodifiableMap(copy);
    }

    public NftScope withChains(Collection<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        Set<String> all = new LinkedHashSet<>(chains);
        all.addAll(more);
        return new NftScope(all, sets, keys);
    }
}
