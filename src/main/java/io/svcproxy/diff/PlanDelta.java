package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.model.PatchedMap;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;

import java.util.HashSet;
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

    private PlanDelta(Map<String, Set<String>> chainsByTable) {
        this.chainsByTable = chainsByTable;
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

    /**
     * At most how many services of {@code plan} are new on {@code actual} (all their chains missing):
     * the owners of the changed chains {@code actual} does not have. Batching is only needed above
     * a batch's worth of new services, and this tells it without looking at unchanged chains.
     */
    public int newServicesAtMost(Ruleset actual, IptablesPlan plan) {
        Set<ServicePortName> owners = new HashSet<>();
        chainsByTable.forEach((table, chains) -> {
            Table have = actual.table(table);
            for (String chain : chains) {
                ServicePortName owner = plan.chainOwners().get(chain);
                if (owner != null && (have == null || have.chain(chain) == null)) {
                    owners.add(owner);
                }
            }
        });
        return owners.size();
    }
}
