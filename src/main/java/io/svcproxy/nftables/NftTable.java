package io.svcproxy.nftables;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One nf_tables table with its chains and named sets (anonymous sets live inside the rules that
 * use them). Maps keep insertion order (creation order, which is also what `nft list` prints);
 * equality ignores order.
 */
public record NftTable(NftFamily family, String name, String comment, Map<String, NftChain> chains,
                       Map<String, NftSet> sets) {
    public NftTable {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
        sets = Collections.unmodifiableMap(new LinkedHashMap<>(sets));
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
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
