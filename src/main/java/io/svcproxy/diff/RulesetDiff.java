package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.RestoreSimulator;
import io.svcproxy.iptables.RuleText;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes the minimal iptables-restore --noflush payload that turns the actual ruleset into the
 * plan, touching only what {@link Ownership} says is ours.
 *
 * <p>Payload order inside each table: chain declarations (create, or flush for rewrite/delete),
 * then every -D, then every -I/-A, then every -X. Declarations first means every jump target exists
 * before a rule references it; -X last means the chain is already flushed and unreferenced.
 *
 * <p>Built-in chains are never declared with a ":" line: under --noflush, ":INPUT ACCEPT [0:0]" keeps
 * the chain's rules but resets its policy (a DROP policy becomes ACCEPT) and its counters (checked on
 * iptables 1.8.9, nft and legacy). Our jumps are inserted with "-I CHAIN 1" instead.
 */
public final class RulesetDiff {
    private RulesetDiff() {
    }

    public static ChangeSet diff(Ruleset actual, IptablesPlan plan) {
        Ruleset desired = plan.desired();
        if (desired.family() != actual.family()) {
            throw new IllegalArgumentException("actual ruleset is " + actual.family() + " but the plan is " + desired.family());
        }
        Set<String> tableNames = new LinkedHashSet<>(desired.tables().keySet());
        tableNames.addAll(actual.tables().keySet());
        Summary summary = new Summary(plan.chainOwners());
        List<TableChanges> tables = new ArrayList<>();
        int lines = 0;
        for (String name : tableNames) {
            List<RestoreLine> tableLines = diffTable(name, actual.table(name), desired.table(name), summary);
            if (!tableLines.isEmpty()) {
                tables.add(new TableChanges(name, tableLines));
                lines += tableLines.size();
            }
        }
        return new ChangeSet(tables, summary.services(), summary.counts(lines));
    }

    /** Simulates iptables-restore --noflush of the change set on actual (see {@link RestoreSimulator}). */
    public static Ruleset apply(Ruleset actual, ChangeSet changes) {
        StringBuilder payload = new StringBuilder();
        try {
            changes.writeTo(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RestoreSimulator.apply(actual, payload.toString(), true);
    }

    private static List<RestoreLine> diffTable(String table, Table actual, Table desired, Summary summary) {
        Map<String, Chain> actualChains = actual == null ? Map.of() : actual.chains();
        Map<String, Chain> desiredChains = desired == null ? Map.of() : desired.chains();
        List<RestoreLine> declarations = new ArrayList<>();
        List<RestoreLine> deletes = new ArrayList<>();
        List<RestoreLine> adds = new ArrayList<>();
        List<RestoreLine> chainDeletes = new ArrayList<>();

        for (Chain want : desiredChains.values()) {
            if (isBuiltin(want)) {
                continue;
            }
            Chain have = actualChains.get(want.name());
            if (have != null && have.rules().equals(want.rules())) {
                continue;
            }
            if (have == null) {
                declarations.add(new RestoreLine.DeclareChain(want.name()));
                appendAll(want, adds);
                summary.chain(table, want.name(), ChainChange.Kind.CREATED, want.rules(), List.of());
                continue;
            }
            if (Ownership.isShared(table, want.name())) {
                SharedChainEdit edit = SharedChainEdit.of(want.name(), have.rules(), want.rules());
                boolean exact = !hasDuplicates(want.rules()) || edit.produces(have.rules(), want.rules());
                if (exact && edit.size() <= want.rules().size() && edit.cheaperThanRewrite(want.rules().size())) {
                    deletes.addAll(edit.deletes);
                    adds.addAll(edit.inserts);
                    summary.chain(table, want.name(), ChainChange.Kind.EDITED, edit.addedRules, edit.removedRules);
                    continue;
                }
                declarations.add(new RestoreLine.DeclareChain(want.name()));
                appendAll(want, adds);
                summary.chain(table, want.name(), ChainChange.Kind.REWRITTEN,
                        minus(want.rules(), have.rules()), minus(have.rules(), want.rules()));
                continue;
            }
            declarations.add(new RestoreLine.DeclareChain(want.name()));
            appendAll(want, adds);
            summary.chain(table, want.name(), ChainChange.Kind.REWRITTEN,
                    minus(want.rules(), have.rules()), minus(have.rules(), want.rules()));
        }

        for (Chain have : actualChains.values()) {
            if (isBuiltin(have) || desiredChains.containsKey(have.name()) || !Ownership.isDeletable(table, have.name())) {
                continue;
            }
            declarations.add(new RestoreLine.DeclareChain(have.name()));
            chainDeletes.add(new RestoreLine.DeleteChain(have.name()));
            summary.chain(table, have.name(), ChainChange.Kind.DELETED, List.of(), have.rules());
        }

        Set<String> builtins = new LinkedHashSet<>();
        desiredChains.values().stream().filter(RulesetDiff::isBuiltin).forEach(c -> builtins.add(c.name()));
        actualChains.values().stream().filter(RulesetDiff::isBuiltin).forEach(c -> builtins.add(c.name()));
        for (String name : builtins) {
            List<String> want = desiredChains.containsKey(name) ? desiredChains.get(name).rules() : List.of();
            List<String> haveAll = actualChains.containsKey(name) ? actualChains.get(name).rules() : List.of();
            Set<String> wantSet = new HashSet<>(want);
            List<String> ours = haveAll.stream().filter(r -> Ownership.isOurBuiltinRule(table, r, wantSet)).toList();
            if (ours.equals(want)) {
                continue;
            }
            // Our jumps go to the top of the built-in chain; "-I 1" in reverse keeps their desired order.
            List<String> insert;
            if (ours.size() <= want.size() && want.subList(want.size() - ours.size(), want.size()).equals(ours)) {
                insert = want.subList(0, want.size() - ours.size());
            } else {
                ours.forEach(r -> deletes.add(new RestoreLine.DeleteRule(name, r)));
                insert = want;
            }
            for (int i = insert.size() - 1; i >= 0; i--) {
                adds.add(new RestoreLine.InsertRule(name, 1, insert.get(i)));
            }
            summary.chain(table, name, ChainChange.Kind.EDITED, minus(want, ours), minus(ours, want));
        }

        List<RestoreLine> all = new ArrayList<>(declarations.size() + deletes.size() + adds.size() + chainDeletes.size());
        all.addAll(declarations);
        all.addAll(deletes);
        all.addAll(adds);
        all.addAll(chainDeletes);
        return all;
    }

    private static boolean isBuiltin(Chain chain) {
        return chain.builtin() || Ownership.isBuiltin(chain.name());
    }

    private static void appendAll(Chain chain, List<RestoreLine> out) {
        for (String rule : chain.rules()) {
            out.add(new RestoreLine.AppendRule(chain.name(), rule));
        }
    }

    private static boolean hasDuplicates(List<String> rules) {
        return new HashSet<>(rules).size() != rules.size();
    }

    /** Multiset difference a - b, in a's order. */
    static List<String> minus(List<String> a, List<String> b) {
        Map<String, Integer> counts = new HashMap<>();
        for (String rule : b) {
            counts.merge(rule, 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        for (String rule : a) {
            Integer c = counts.get(rule);
            if (c == null || c == 0) {
                out.add(rule);
            } else {
                counts.put(rule, c - 1);
            }
        }
        return out;
    }

    /** Collects the readable per-service summary and the counts while the payload is built. */
    private static final class Summary {
        private final Map<String, ServicePortName> chainOwners;
        private final Map<String, List<ChainChange>> byService = new TreeMap<>();
        private int created;
        private int rewritten;
        private int deleted;
        private int rulesAdded;
        private int rulesDeleted;

        Summary(Map<String, ServicePortName> chainOwners) {
            this.chainOwners = chainOwners;
        }

        void chain(String table, String chain, ChainChange.Kind kind, List<String> added, List<String> removed) {
            switch (kind) {
                case CREATED -> created++;
                case REWRITTEN -> rewritten++;
                case DELETED -> deleted++;
                default -> { }
            }
            rulesAdded += added.size();
            rulesDeleted += removed.size();
            if (!Ownership.isShared(table, chain) && !Ownership.isBuiltin(chain)) {
                String service = ownerOf(chain, added.isEmpty() ? removed : added);
                byService.computeIfAbsent(service, k -> new ArrayList<>()).add(new ChainChange(table, chain, kind, added, removed));
                return;
            }
            // A chain shared by services: each service gets the rules that are its own.
            Map<String, List<String>> addedBy = new TreeMap<>();
            Map<String, List<String>> removedBy = new TreeMap<>();
            added.forEach(r -> addedBy.computeIfAbsent(serviceOfRule(r), k -> new ArrayList<>()).add(r));
            removed.forEach(r -> removedBy.computeIfAbsent(serviceOfRule(r), k -> new ArrayList<>()).add(r));
            Set<String> services = new TreeSet<>(addedBy.keySet());
            services.addAll(removedBy.keySet());
            if (services.isEmpty()) {
                services.add("");   // e.g. a pure reorder, or an empty chain created or deleted
            }
            for (String service : services) {
                byService.computeIfAbsent(service, k -> new ArrayList<>()).add(new ChainChange(table, chain, kind,
                        addedBy.getOrDefault(service, List.of()), removedBy.getOrDefault(service, List.of())));
            }
        }

        private String ownerOf(String chain, List<String> rules) {
            ServicePortName owner = chainOwners.get(chain);
            if (owner != null) {
                return owner.toString();
            }
            if (!chain.startsWith("KUBE-SVC-") && !chain.startsWith("KUBE-SVL-") && !chain.startsWith("KUBE-EXT-")
                    && !chain.startsWith("KUBE-FW-") && !chain.startsWith("KUBE-SEP-")) {
                return "";
            }
            for (String rule : rules) {
                Optional<String> service = RuleText.serviceOf(rule);
                if (service.isPresent()) {
                    return service.get();
                }
            }
            return "";
        }

        private String serviceOfRule(String rule) {
            Optional<String> target = RuleText.target(rule);
            if (target.isPresent() && chainOwners.containsKey(target.get())) {
                return chainOwners.get(target.get()).toString();
            }
            return RuleText.serviceOf(rule).orElse("");
        }

        List<ServiceChanges> services() {
            List<ServiceChanges> out = new ArrayList<>();
            byService.forEach((service, chains) -> out.add(new ServiceChanges(service, chains)));
            return Collections.unmodifiableList(out);
        }

        ChangeCounts counts(int payloadLines) {
            return new ChangeCounts(created, rewritten, deleted, rulesAdded, rulesDeleted, payloadLines);
        }
    }
}
