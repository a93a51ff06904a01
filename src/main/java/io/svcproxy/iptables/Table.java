package io.svcproxy.iptables;

import io.svcproxy.model.PatchedMap;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * One table ("filter", "nat", "mangle", ...): its chains in order of declaration. The chains are held
 * in a {@link PatchedMap}, so a table with a few chains changed ({@link #withChains}) shares the rest
 * with the table it came from, and the rule count is kept, not counted.
 */
public record Table(String name, Map<String, Chain> chains) {
    private static final ToLongFunction<Chain> RULES = c -> c.rules().size();

    public Table {
        Objects.requireNonNull(name, "name");
        chains = chains instanceof PatchedMap<String, Chain> p && p.weighedBy(RULES) ? p : PatchedMap.copyOf(chains, RULES);
    }

    public Chain chain(String chainName) {
        return chains.get(chainName);
    }

    public int ruleCount() {
        return (int) ((PatchedMap<String, Chain>) chains).weight();
    }

    /** This table with {@code removed} chains taken out and {@code put} chains set; costs the change's size. */
    public Table withChains(Map<String, Chain> put, Collection<String> removed) {
        return new Table(name, ((PatchedMap<String, Chain>) chains).with(put, removed));
    }
}
