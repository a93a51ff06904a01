package io.svcproxy.nftables;

import io.svcproxy.model.PatchedMap;

import java.util.Map;

/**
 * One nf_tables table with its chains and named sets (anonymous sets live inside the rules that
 * use them). Maps keep insertion order (creation order, which is also what `nft list` prints);
 * equality ignores order. {@link #withChanges} derives a table at the cost of the change.
 */
public record NftTable(NftFamily family, String name, String comment, Map<String, NftChain> chains,
                       Map<String, NftSet> sets) {
    public NftTable {
        // Held as PatchedMaps: a table derived from another by a few changed chains (a partial
        // sync's plan) shares the rest instead of copying 10,000s of entries.
        chains = chains instanceof PatchedMap<String, NftChain> p ? p : PatchedMap.copyOf(chains);
        sets = sets instanceof PatchedMap<String, NftSet> p ? p : PatchedMap.copyOf(sets);
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
    }

    /** This table with chains and sets removed (by name) and put (replacing same-named ones). */
    public NftTable withChanges(Map<String, NftChain> putChains, java.util.Collection<String> removeChains,
                                Map<String, NftSet> putSets, java.util.Collection<String> removeSets) {
        return new NftTable(family, name, comment, ((PatchedMap<String, NftChain>) chains).with(putChains, removeChains),
                ((PatchedMap<String, NftSet>) sets).with(putSets, removeSets));
    }

    public static NftTable empty(NftFamily family, String name, String comment) {
        return new NftTable(family, name, comment, Map.of(), Map.of());
    }

    public int ruleCount() {
        return chains.values().stream().mapToInt(c -> c.rules().size()).sum();
    }

    public int elementCount() {
        return sets.values().stream().mapToInt(s -> s.elements().size()).sum();
    }
}
