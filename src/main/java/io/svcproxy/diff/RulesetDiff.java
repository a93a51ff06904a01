package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.RestoreSimulator;
import io.svcproxy.iptables.RuleText;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.ChainNames;
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
import java.util.LinkedHashMap;
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
        return diff(actual, plan, null);
    }

    /**
     * As {@link #diff(Ruleset, IptablesPlan)}, comparing only the user chains {@code delta} names (and
     * the built-in chains), for when {@code actual}'s owned chains are known to equal those of the plan
     * {@code delta} starts from (the state a successful sync of that plan left). A partial sync then
     * costs the size of the change, not of the ruleset. A null delta compares every chain.
     */
    public static ChangeSet diff(Ruleset actual, IptablesPlan plan, PlanDelta delta) {
        Ruleset desired = plan.desired();
        if (desired.family() != actual.family()) {
            throw new IllegalArgumentException("actual ruleset is " + actual.family() + " but the plan is " + desired.family());
        }
        Set<String> tableNames = new LinkedHashSet<>(desired.tables().keySet());
        tableNames.addAll(actual.tables().keySet());
        Summary summary = new Summary(plan.chainOwners());
        List<TableChanges> tables = new ArrayList<>();
        Map<String, TableResult> results = new HashMap<>();
        int lines = 0;
        for (String name : tableNames) {
            TableResult result = new TableResult();
            List<RestoreLine> tableLines = diffTable(name, actual.table(name), desired.table(name), summary,
                    delta == null ? null : delta.chains(name), result);
            if (!tableLines.isEmpty()) {
                tables.add(new TableChanges(name, tableLines));
                lines += tableLines.size();
            }
            if (!tableLines.isEmpty() || !result.put.isEmpty()) {
                results.put(name, result);
            }
        }
        return new ChangeSet(tables, summary.services(), summary.counts(lines), results);
    }

    /**
     * The state after iptables-restore --noflush of the change set on actual, the state the change set
     * was computed against. Built from what the diff decided, so it costs the size of the change and
     * holds the plan's own chain objects (the next diff skips them by identity); the property tests
     * check it against {@link RestoreSimulator}, the in-memory iptables-restore.
     */
    public static Ruleset apply(Ruleset actual, ChangeSet changes) {
        if (!changes.hasResults()) {
            return simulate(actual, changes);
        }
        Map<String, Table> tables = new LinkedHashMap<>(actual.tables());
        Set<String> written = new HashSet<>(changes.tableNames());
        changes.results().forEach((name, result) -> {
            Table before = actual.table(name);
            if (before == null) {
                before = new Table(name, Map.of());
            }
            Map<String, Chain> put = new LinkedHashMap<>();
            if (written.contains(name)) {
                // A table iptables-restore touches has all its built-in chains (iptables-save lists them all).
                for (String builtin : RestoreSimulator.builtinChains(name)) {
                    if (before.chain(builtin) == null) {
                        put.put(builtin, new Chain(builtin, "ACCEPT", List.of()));
                    }
                }
            }
            put.putAll(result.put);
            tables.put(name, before.withChains(put, result.removed));
        });
        return new Ruleset(actual.family(), tables);
    }

    /** Simulates iptables-restore --noflush of the change set's payload on actual (see {@link RestoreSimulator}). */
    public static Ruleset simulate(Ruleset actual, ChangeSet changes) {
        StringBuilder payload = new StringBuilder();
        try {
            changes.writeTo(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RestoreSimulator.apply(actual, payload.toString(), true);
    }

    /** What a table's chains are after its payload: chains set (created or changed) and chains deleted. */
    static final class TableResult {
        final Map<String, Chain> put = new LinkedHashMap<>();
        final List<String> removed = new ArrayList<>();
    }

    private static List<RestoreLine> diffTable(String table, Table actual, Table desired, Summary summary,
                                               Set<String> candidates, TableResult result) {
        Map<String, Chain> actualChains = actual == null ? Map.of() : actual.chains();
        Map<String, Chain> desiredChains = desired == null ? Map.of() : desired.chains();
        Lines out = new Lines();

        if (candidates == null) {
            for (Chain want : desiredChains.values()) {
                if (!isBuiltin(want)) {
                    userChain(table, want, actualChains.get(want.name()), summary, out, result);
                }
            }
            for (Chain have : actualChains.values()) {
                if (!isBuiltin(have) && !desiredChains.containsKey(have.name()) && Ownership.isDeletable(table, have.name())) {
                    deleteChain(table, have, summary, out, result);
                }
            }
        } else {
            for (String name : candidates) {
                Chain want = desiredChains.get(name);
                Chain have = actualChains.get(name);
                if (want != null) {
                    if (!isBuiltin(want)) {
                        userChain(table, want, have, summary, out, result);
                    }
                } else if (have != null && !isBuiltin(have) && Ownership.isDeletable(table, name)) {
                    deleteChain(table, have, summary, out, result);
                }
            }
        }

        Set<String> builtins = new LinkedHashSet<>();
        if (candidates == null) {
            desiredChains.values().stream().filter(RulesetDiff::isBuiltin).forEach(c -> builtins.add(c.name()));
            actualChains.values().stream().filter(RulesetDiff::isBuiltin).forEach(c -> builtins.add(c.name()));
        } else {
            // Every built-in chain has one of these names: look them up instead of walking the table.
            for (String name : BUILTIN_ORDER) {
                Chain c = desiredChains.get(name);
                Chain a = actualChains.get(name);
                if ((c != null && isBuiltin(c)) || (a != null && isBuiltin(a))) {
                    builtins.add(name);
                }
            }
        }
        for (String name : builtins) {
            builtinChain(table, name, desiredChains.get(name), actualChains.get(name), summary, out, result);
        }
        return out.all();
    }

    private static final List<String> BUILTIN_ORDER = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

    /** The payload lines of one table, in the order they must run. */
    private static final class Lines {
        final List<RestoreLine> declarations = new ArrayList<>();
        final List<RestoreLine> deletes = new ArrayList<>();
        final List<RestoreLine> adds = new ArrayList<>();
        final List<RestoreLine> chainDeletes = new ArrayList<>();

        List<RestoreLine> all() {
            List<RestoreLine> all = new ArrayList<>(declarations.size() + deletes.size() + adds.size() + chainDeletes.size());
            all.addAll(declarations);
            all.addAll(deletes);
            all.addAll(adds);
            all.addAll(chainDeletes);
            return all;
        }
    }

    private static void userChain(String table, Chain want, Chain have, Summary summary, Lines out, TableResult result) {
        if (have != null && have.rules().equals(want.rules())) {
            // The same list object when both come from one plan: no rule is compared. An equal copy
            // (read from the kernel) is swapped for the plan's: the remembered state then shares the
            // plan's rules instead of holding a second copy, and later diffs skip it by identity.
            if (have != want && have.policy().equals(want.policy())) {
                result.put.put(want.name(), want);
            }
            return;
        }
        if (have != null && OrderFreeChains.applies(table, want.name())) {
            // kube-proxy's order (or any other) stays where it gives every packet the same verdict:
            // only the rules that differ are deleted and inserted, none is moved.
            List<String> target = OrderFreeChains.keepOrder(have.rules(), want.rules());
            if (target != null && target.equals(have.rules())) {
                result.put.put(want.name(), have);
                return;
            }
            if (target != null && !target.equals(want.rules())) {
                SharedChainEdit edit = SharedChainEdit.of(want.name(), have.rules(), target);
                if (edit.size() <= target.size() && edit.cheaperThanRewrite(target.size())) {
                    out.deletes.addAll(edit.deletes);
                    out.adds.addAll(edit.inserts);
                    summary.chain(table, want.name(), ChainChange.Kind.EDITED, edit.addedRules, edit.removedRules);
                    result.put.put(want.name(), new Chain(want.name(), want.policy(), target));
                    return;
                }
            }
        }
        result.put.put(want.name(), want);
        if (have == null) {
            out.declarations.add(new RestoreLine.DeclareChain(want.name()));
            appendAll(want, out.adds);
            summary.chain(table, want.name(), ChainChange.Kind.CREATED, want.rules(), List.of());
            return;
        }
        if (Ownership.isShared(table, want.name())) {
            SharedChainEdit edit = SharedChainEdit.of(want.name(), have.rules(), want.rules());
            boolean exact = !hasDuplicates(want.rules()) || edit.produces(have.rules(), want.rules());
            if (exact && edit.size() <= want.rules().size() && edit.cheaperThanRewrite(want.rules().size())) {
                out.deletes.addAll(edit.deletes);
                out.adds.addAll(edit.inserts);
                summary.chain(table, want.name(), ChainChange.Kind.EDITED, edit.addedRules, edit.removedRules);
                return;
            }
        }
        out.declarations.add(new RestoreLine.DeclareChain(want.name()));
        appendAll(want, out.adds);
        summary.chain(table, want.name(), ChainChange.Kind.REWRITTEN,
                minus(want.rules(), have.rules()), minus(have.rules(), want.rules()));
    }

    private static void deleteChain(String table, Chain have, Summary summary, Lines out, TableResult result) {
        out.declarations.add(new RestoreLine.DeclareChain(have.name()));
        out.chainDeletes.add(new RestoreLine.DeleteChain(have.name()));
        summary.chain(table, have.name(), ChainChange.Kind.DELETED, List.of(), have.rules());
        result.removed.add(have.name());
    }

    private static void builtinChain(String table, String name, Chain desired, Chain actual, Summary summary,
                                     Lines out, TableResult result) {
        List<String> want = desired != null ? desired.rules() : List.of();
        List<String> haveAll = actual != null ? actual.rules() : List.of();
        Set<String> wantSet = new HashSet<>(want);
        List<String> ours = haveAll.stream().filter(r -> Ownership.isOurBuiltinRule(table, r, wantSet)).toList();
        if (ours.equals(want)) {
            return;
        }
        // Our jumps go to the top of the built-in chain; "-I 1" in reverse keeps their desired order.
        List<String> insert;
        List<String> kept;
        int keep = keptSuffix(ours, want);
        if (keep >= 0) {
            // The jumps we have hold a tail of the desired ones in order, plus jumps no longer wanted:
            // only those are deleted ("-D spec" removes the first equal rule: exact, ours being unique).
            List<String> extra = minus(ours, want.subList(want.size() - keep, want.size()));
            extra.forEach(r -> out.deletes.add(new RestoreLine.DeleteRule(name, r)));
            insert = want.subList(0, want.size() - keep);
            List<String> rest = new ArrayList<>(haveAll);
            extra.forEach(rest::remove);
            kept = rest;
        } else {
            ours.forEach(r -> out.deletes.add(new RestoreLine.DeleteRule(name, r)));
            insert = want;
            List<String> rest = new ArrayList<>(haveAll);
            ours.forEach(rest::remove);   // -D deletes the first equal rule
            kept = rest;
        }
        for (int i = insert.size() - 1; i >= 0; i--) {
            out.adds.add(new RestoreLine.InsertRule(name, 1, insert.get(i)));
        }
        List<String> after = new ArrayList<>(insert.size() + kept.size());
        after.addAll(insert);
        after.addAll(kept);
        String policy = actual != null ? actual.policy() : "ACCEPT";
        result.put.put(name, new Chain(name, policy, after));
        summary.chain(table, name, ChainChange.Kind.EDITED, minus(want, ours), minus(ours, want));
    }

    /**
     * The length of the longest tail of {@code want} that {@code ours} holds in order (other jumps of
     * ours between them allowed), or -1 when ours repeats a rule (then deleting by spec is not exact).
     * Those jumps stay; only the rest of ours is deleted and only the head of want inserted.
     */
    static int keptSuffix(List<String> ours, List<String> want) {
        if (hasDuplicates(ours)) {
            return -1;
        }
        int matched = 0;
        int i = ours.size() - 1;
        for (int w = want.size() - 1; w >= 0; w--) {
            while (i >= 0 && !ours.get(i).equals(want.get(w))) {
                i--;
            }
            if (i < 0) {
                break;
            }
            matched++;
            i--;
        }
        return matched;
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
            if (!ChainNames.isServiceChain(chain)) {
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
