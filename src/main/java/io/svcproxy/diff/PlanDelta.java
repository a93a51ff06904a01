package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.PatchedMap;
import io.svcproxy.iptables.Table;
import io.svcproxy.plan.IptablesPlan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The user chains that may differ between two plans, per table, found from the plans' shared
 * structure (see {@link PatchedMap#keysChangedSince}) without comparing their chains. When the
 * kernel is known to hold the older plan, only these chains (and the built-in chains) need diffing.
 */
public final class PlanDelta {
    private final Map<String, Set<String>> chainsByTable;
    private final int size;

    private PlanDelta(Map<String, Set<String>> chainsByTable) {
        this.chainsByTable = chainsByTable;
        this.size = chainsByTable.values().stream().mapToInt(Set::size).sum();
    }

    /** Empty when the plans do not share their structure (e.g. one was rendered from scratch). */
    public static Optional<PlanDelta> between(IptablesPlan older, IptablesPlan newer) {
        if (older.desired().family() != newer.desired().family()
                || !older.desired().tables().keySet().equals(newer.desired().tables().keySet())) {
            return Optional.empty();
        }
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Table table : newer.desired().tables().values()) {
            Table before = older.desired().table(table.name());
            Set<String> changed = chains(table).keysChangedSince(chains(before));
            if (changed == null) {
                return Optional.empty();
            }
            out.put(table.name(), changed);
        }
        return Optional.of(new PlanDelta(out));
    }

    private static PatchedMap<String, Chain> chains(Table table) {
        return (PatchedMap<String, Chain>) table.chains();
    }

    /** The chains of {@code table} that may have changed (none for a table the plans do not have). */
    public Set<String> chains(String table) {
        return chainsByTable.getOrDefault(table, Set.of());
    }

    /** How many chains may have changed, over all tables. */
    public int size() {
        return size;
    }
}
