package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.RuleText;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Splits a large sync into bounded, self-consistent writes. iptables-nft-restore --noflush is
 * superlinear in the number of chains one payload names (each command is inserted into a sorted
 * linked list of them, and each of them is then fetched from the kernel one by one), and
 * iptables-legacy-restore rewrites the whole table on every run, so a first sync of thousands of
 * services is written as:
 * <ol>
 *   <li>the base: the plan's node-wide chains and jumps, everything already on the node kept;</li>
 *   <li>staging batches: the service chains the node lacks (endpoint chains, service chains, ...),
 *       whole services per batch, bounded by a {@link BatchPolicy}. Nothing jumps to them yet, so
 *       they carry no traffic, and the kernel's loop check walks only what is reachable, which
 *       stays small: the cost of a batch does not grow with the table;</li>
 *   <li>the plan itself, as one last change set: the jumps to the staged chains (a service becomes
 *       reachable only once all its chains are complete), changed chains, and every deletion.</li>
 * </ol>
 * A crash between writes leaves unreachable chains that the next full sync either keeps (they are
 * what the plan wants) or deletes; nothing reachable ever jumps to a missing chain.
 */
public final class BatchPlanner {
    private static final String NAT = "nat";

    private BatchPlanner() {
    }

    /** What to write before the plan itself; {@link #isEmpty()} when the plan fits one write. */
    public static final class Staging {
        private final IptablesPlan base;
        private final List<List<ServicePortName>> batches;
        private final Map<ServicePortName, List<Chain>> newChains;

        private Staging(IptablesPlan base, List<List<ServicePortName>> batches,
                        Map<ServicePortName, List<Chain>> newChains) {
            this.base = base;
            this.batches = batches;
            this.newChains = newChains;
        }

        public boolean isEmpty() {
            return batches.isEmpty();
        }

        /** The node-wide stage (node as it is plus the plan's node-wide chains); null when not staging. */
        public IptablesPlan base() {
            return base;
        }

        public int batchCount() {
            return batches.size();
        }

        /** The staging change sets, built one at a time as they are written. */
        public Iterable<ChangeSet> batches() {
            return () -> new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < batches.size();
                }

                @Override
                public ChangeSet next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return creation(batches.get(next++), newChains);
                }
            };
        }

        /** {@code state} (the node after the base stage) plus every staged chain. */
        public Ruleset withStagedChains(Ruleset state) {
            if (isEmpty()) {
                return state;
            }
            Map<String, Table> tables = new LinkedHashMap<>(state.tables());
            Table nat = state.table(NAT);
            Map<String, Chain> chains = new LinkedHashMap<>(nat == null ? Map.of() : nat.chains());
            newChains.values().forEach(list -> list.forEach(c -> chains.put(c.name(), c)));
            tables.put(NAT, new Table(NAT, chains));
            return new Ruleset(state.family(), tables);
        }
    }

    /**
     * Plans the staging of {@code plan} over {@code actual}: nothing when the service chains the node
     * lacks fit one batch of {@code policy} (a partial sync, a restart onto a programmed node).
     */
    public static Staging staging(Ruleset actual, IptablesPlan plan, BatchPolicy policy) {
        Map<ServicePortName, List<Chain>> missing = missingServiceChains(actual, plan);
        List<List<ServicePortName>> batches = new ArrayList<>();
        List<ServicePortName> current = new ArrayList<>();
        int chains = 0;
        for (Map.Entry<ServicePortName, List<Chain>> service : missing.entrySet()) {
            int size = service.getValue().size();
            if (policy.full(current.size(), chains, size)) {
                batches.add(current);
                current = new ArrayList<>();
                chains = 0;
            }
            current.add(service.getKey());
            chains += size;
        }
        if (batches.isEmpty()) {
            return new Staging(null, List.of(), Map.of());
        }
        batches.add(current);
        IptablesPlan base = new IptablesPlan(base(actual, plan), plan.chainOwners(), plan.nfacctCounters(), List.of());
        return new Staging(base, batches, missing);
    }

    /** Per service (in plan order), its nat chains the node does not hold yet. */
    private static Map<ServicePortName, List<Chain>> missingServiceChains(Ruleset actual, IptablesPlan plan) {
        Table natPlan = plan.desired().table(NAT);
        Table natActual = actual.table(NAT);
        Map<ServicePortName, List<Chain>> byService = new LinkedHashMap<>();
        if (natPlan == null) {
            return byService;
        }
        for (Chain chain : natPlan.chains().values()) {
            ServicePortName owner = plan.chainOwners().get(chain.name());
            if (owner != null && (natActual == null || natActual.chain(chain.name()) == null)) {
                byService.computeIfAbsent(owner, k -> new ArrayList<>()).add(chain);
            }
        }
        return byService;
    }

    /** One staging batch: declare each chain, then append its rules (targets are in the batch or node-wide). */
    private static ChangeSet creation(List<ServicePortName> services, Map<ServicePortName, List<Chain>> newChains) {
        List<RestoreLine> declarations = new ArrayList<>();
        List<RestoreLine> rules = new ArrayList<>();
        List<ServiceChanges> summary = new ArrayList<>();
        int created = 0;
        int added = 0;
        for (ServicePortName service : services) {
            List<ChainChange> changes = new ArrayList<>();
            for (Chain chain : newChains.get(service)) {
                declarations.add(new RestoreLine.DeclareChain(chain.name()));
                for (String rule : chain.rules()) {
                    rules.add(new RestoreLine.AppendRule(chain.name(), rule));
                }
                changes.add(new ChainChange(NAT, chain.name(), ChainChange.Kind.CREATED, chain.rules(), List.of()));
                created++;
                added += chain.rules().size();
            }
            summary.add(new ServiceChanges(service.toString(), changes));
        }
        List<RestoreLine> lines = new ArrayList<>(declarations.size() + rules.size());
        lines.addAll(declarations);
        lines.addAll(rules);
        // No table results: the syncer adds staged chains to its state with Staging.withStagedChains.
        return new ChangeSet(List.of(new TableChanges(NAT, lines)), summary,
                new ChangeCounts(created, 0, 0, added, 0, lines.size()), Map.of());
    }

    /**
     * The base stage: the node as it is, plus the plan's node-wide chains and jumps. Shared chains
     * keep their current rules (or get only the plan's service-independent ones, like the NodePorts
     * jump); service chains on the node are kept; nothing is deleted.
     */
    private static Ruleset base(Ruleset actual, IptablesPlan plan) {
        Map<String, Table> tables = new LinkedHashMap<>();
        for (Table planned : plan.desired().tables().values()) {
            Table current = actual.table(planned.name());
            Map<String, Chain> chains = new LinkedHashMap<>();
            for (Chain chain : planned.chains().values()) {
                if (plan.chainOwners().containsKey(chain.name())) {
                    continue;
                }
                Chain existing = current == null ? null : current.chain(chain.name());
                if (!chain.builtin() && Ownership.isShared(planned.name(), chain.name())) {
                    chains.put(chain.name(), existing != null ? Chain.user(chain.name(), existing.rules())
                            : Chain.user(chain.name(), chain.rules().stream()
                                    .filter(r -> RuleText.serviceOf(r).isEmpty()).toList()));
                } else {
                    chains.put(chain.name(), chain);
                }
            }
            if (current != null) {
                for (Chain chain : current.chains().values()) {
                    if (!chain.builtin() && !chains.containsKey(chain.name())
                            && Ownership.isOwnedChain(planned.name(), chain.name())) {
                        chains.put(chain.name(), chain);
                    }
                }
            }
            tables.put(planned.name(), new Table(planned.name(), chains));
        }
        return new Ruleset(plan.desired().family(), tables);
    }
}
