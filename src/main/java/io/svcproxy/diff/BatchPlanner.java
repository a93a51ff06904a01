package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.RuleText;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits a large sync into bounded, self-consistent stages. iptables-nft-restore is superlinear in
 * payload size, so a first sync of thousands of services is much faster as a sequence of small
 * payloads. Each stage adds whole new services (their endpoint chains, service chains and the
 * jumps to them together), so the kernel never holds a jump to a missing chain and a service is
 * either fully programmed or not at all; everything already on the node is kept as it is until the
 * last stage, which is the plan itself (changes, removals and ordering are settled there).
 */
public final class BatchPlanner {
    private static final String NAT = "nat";

    private BatchPlanner() {
    }

    /**
     * The desired states to apply in order; the last one is {@code plan}. A single element when
     * there are no more than {@code servicesPerBatch} new services.
     */
    public static List<IptablesPlan> stages(Ruleset actual, IptablesPlan plan, int servicesPerBatch) {
        if (servicesPerBatch < 1) {
            throw new IllegalArgumentException("servicesPerBatch must be positive");
        }
        Map<ServicePortName, List<String>> newServices = newServices(actual, plan);
        if (newServices.size() <= servicesPerBatch) {
            return List.of(plan);
        }
        List<IptablesPlan> stages = new ArrayList<>();
        Ruleset state = base(actual, plan);
        List<ServicePortName> order = new ArrayList<>(newServices.keySet());
        for (int from = 0; from < order.size(); from += servicesPerBatch) {
            List<ServicePortName> chunk = order.subList(from, Math.min(order.size(), from + servicesPerBatch));
            state = withServices(state, plan, chunk, newServices);
            stages.add(new IptablesPlan(state, plan.chainOwners(), plan.nfacctCounters(), List.of()));
        }
        stages.add(plan);
        return stages;
    }

    /** Services of the plan (in plan order) none of whose chains exists on the node yet. */
    private static Map<ServicePortName, List<String>> newServices(Ruleset actual, IptablesPlan plan) {
        Table natPlan = plan.desired().table(NAT);
        Table natActual = actual.table(NAT);
        Map<ServicePortName, List<String>> byService = new LinkedHashMap<>();
        if (natPlan == null) {
            return byService;
        }
        for (String chain : natPlan.chains().keySet()) {
            ServicePortName owner = plan.chainOwners().get(chain);
            if (owner != null) {
                byService.computeIfAbsent(owner, k -> new ArrayList<>()).add(chain);
            }
        }
        byService.values().removeIf(chains -> natActual != null
                && chains.stream().anyMatch(c -> natActual.chain(c) != null));
        return byService;
    }

    /**
     * Stage zero: the node as it is, plus the plan's node-wide chains and jumps. Shared chains keep
     * their current rules (or get only the plan's service-independent ones, like the NodePorts jump).
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

    /** Adds whole services: their chains and their rules in the shared chains. */
    private static Ruleset withServices(Ruleset state, IptablesPlan plan, List<ServicePortName> chunk,
                                        Map<ServicePortName, List<String>> chainsOf) {
        Set<String> names = new HashSet<>();
        chunk.forEach(s -> names.add(s.toString()));
        Map<String, Table> tables = new LinkedHashMap<>();
        for (Table current : state.tables().values()) {
            Table planned = plan.desired().table(current.name());
            Map<String, Chain> chains = new LinkedHashMap<>(current.chains());
            for (Chain chain : current.chains().values()) {
                if (chain.builtin() || !Ownership.isShared(current.name(), chain.name()) || planned == null
                        || planned.chain(chain.name()) == null) {
                    continue;
                }
                List<String> added = planned.chain(chain.name()).rules().stream()
                        .filter(r -> RuleText.serviceOf(r).map(names::contains).orElse(false)).toList();
                if (!added.isEmpty()) {
                    chains.put(chain.name(), Chain.user(chain.name(), insertBeforeTail(chain.rules(), added)));
                }
            }
            if (NAT.equals(current.name()) && planned != null) {
                for (ServicePortName svc : chunk) {
                    for (String chainName : chainsOf.get(svc)) {
                        chains.put(chainName, planned.chain(chainName));
                    }
                }
            }
            tables.put(current.name(), new Table(current.name(), chains));
        }
        return new Ruleset(state.family(), tables);
    }

    /** Keeps a trailing service-independent jump (the NodePorts rule) last. */
    private static List<String> insertBeforeTail(List<String> rules, List<String> added) {
        List<String> out = new ArrayList<>(rules);
        int at = out.size();
        if (at > 0 && RuleText.serviceOf(out.get(at - 1)).isEmpty()) {
            at--;
        }
        out.addAll(at, added);
        return out;
    }
}
