package io.svcproxy.iptables;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An in-memory iptables-restore, as strict as the kernel tools (checked on iptables 1.8.9, nft and
 * legacy): a jump target must exist when the rule is added, -D needs an equal rule, -X needs an empty
 * and unreferenced user chain. Each "*table ... COMMIT" block is atomic: an error leaves the input
 * untouched and throws {@link SaveParseException} naming the line.
 *
 * <p>With noflush, ":CHAIN - [0:0]" creates or flushes a user chain and ":BUILTIN POLICY [..]" sets
 * the policy of a built-in chain but keeps its rules. Without noflush, every table named in the
 * payload is emptied first (rules flushed, user chains deleted), as plain iptables-restore does.
 * The result lists built-in chains first, then user chains alphabetically, like iptables-save.
 */
public final class RestoreSimulator {
    private RestoreSimulator() {
    }

    private static final Map<String, List<String>> BUILTINS = Map.of(
            "filter", List.of("INPUT", "FORWARD", "OUTPUT"),
            "nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
            "mangle", List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
            "raw", List.of("PREROUTING", "OUTPUT"),
            "security", List.of("INPUT", "FORWARD", "OUTPUT"));

    /** The built-in chains iptables-restore creates with a table (empty, policy ACCEPT), in iptables-save's order. */
    public static List<String> builtinChains(String table) {
        return BUILTINS.getOrDefault(table, List.of());
    }

    /** Targets provided by extensions rather than chains (the ones kube-proxy and common tools use). */
    private static final Set<String> EXTENSION_TARGETS = Set.of(
            "ACCEPT", "DROP", "RETURN", "QUEUE", "NFQUEUE", "MARK", "CONNMARK", "DNAT", "SNAT", "MASQUERADE",
            "REDIRECT", "REJECT", "LOG", "NFLOG", "CT", "NOTRACK", "TRACE", "TCPMSS", "TOS", "DSCP", "CLASSIFY",
            "CHECKSUM", "TPROXY", "NETMAP", "AUDIT", "SET", "TEE", "HMARK", "IDLETIMER", "SECMARK",
            "CONNSECMARK", "SYNPROXY", "TTL", "HL", "ECN");

    public static Ruleset apply(Ruleset actual, String payload, boolean noflush) {
        return apply(actual, new StringReader(payload), noflush);
    }

    public static Ruleset apply(Ruleset actual, Reader payload, boolean noflush) {
        Map<String, Table> tables = new LinkedHashMap<>(actual.tables());
        BufferedReader in = payload instanceof BufferedReader b ? b : new BufferedReader(payload);
        WorkTable work = null;
        int lineNumber = 0;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("*")) {
                    if (work != null) {
                        throw new SaveParseException(lineNumber, "no COMMIT for table " + work.name, line);
                    }
                    String name = line.substring(1).trim();
                    work = new WorkTable(name, tables.get(name));
                    if (!noflush) {
                        work.flushAll();
                    }
                } else if (work == null) {
                    throw new SaveParseException(lineNumber, "expected '*table'", line);
                } else if (line.equals("COMMIT")) {
                    tables.put(work.name, work.toTable());
                    work = null;
                } else {
                    try {
                        work.execute(line);
                    } catch (IllegalArgumentException e) {
                        throw new SaveParseException(lineNumber, e.getMessage(), line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (work != null) {
            throw new SaveParseException(lineNumber, "table " + work.name + " ends without COMMIT", null);
        }
        return new Ruleset(actual.family(), tables);
    }

    /**
     * A mutable copy of one table while its block is applied. Copy on write: a chain's rules are
     * copied only when the payload changes them, and an untouched chain comes out as the same
     * {@link Chain} object, so a small payload on a large table costs little more than one pass
     * over its chains.
     */
    private static final class WorkTable {
        final String name;
        final Map<String, String> policies = new LinkedHashMap<>();
        final Map<String, List<String>> rules = new HashMap<>();
        /** Rules jumping to each chain; counted on the first -X only (null until then), then kept up to date. */
        Map<String, Integer> references;
        /** Chains of the existing table not changed (yet) by the payload; their rules lists are shared. */
        final Map<String, Chain> unchanged = new HashMap<>();

        WorkTable(String name, Table existing) {
            this.name = name;
            for (String builtin : BUILTINS.getOrDefault(name, List.of())) {
                policies.put(builtin, "ACCEPT");
                rules.put(builtin, new ArrayList<>());
            }
            if (existing != null) {
                for (Chain chain : existing.chains().values()) {
                    policies.put(chain.name(), chain.policy());
                    rules.put(chain.name(), new ArrayList<>());
                }
                for (Chain chain : existing.chains().values()) {
                    rules.put(chain.name(), chain.rules());
                    unchanged.put(chain.name(), chain);
                }
            }
        }

        void flushAll() {
            policies.entrySet().removeIf(e -> e.getValue().equals("-"));
            rules.keySet().retainAll(policies.keySet());
            rules.replaceAll((chain, list) -> new ArrayList<>());
            unchanged.clear();
            references = new HashMap<>();
        }

        void execute(String line) {
            if (line.startsWith(":")) {
                String[] words = line.substring(1).trim().split(" +");
                if (words.length < 2) {
                    throw new IllegalArgumentException("bad chain line");
                }
                declare(words[0], words[1]);
                return;
            }
            String[] head = line.split(" ", 3);
            String command = head[0];
            String chain = head.length > 1 ? head[1] : "";
            String rest = head.length > 2 ? head[2] : "";
            switch (command) {
                case "-A", "--append" -> insert(chain, -1, rest);
                case "-I", "--insert" -> {
                    String[] posAndSpec = rest.split(" ", 2);
                    if (!posAndSpec[0].isEmpty() && posAndSpec[0].chars().allMatch(Character::isDigit)) {
                        insert(chain, Integer.parseInt(posAndSpec[0]), posAndSpec.length > 1 ? posAndSpec[1] : "");
                    } else {
                        insert(chain, 1, rest);
                    }
                }
                case "-D", "--delete" -> delete(chain, rest);
                case "-N", "--new-chain" -> {
                    if (rules.containsKey(chain)) {
                        throw new IllegalArgumentException("chain already exists");
                    }
                    declare(chain, "-");
                }
                case "-F", "--flush" -> mutableRules(chain).forEach(r -> addRef(r, -1));
                case "-X", "--delete-chain" -> deleteChain(chain);
                case "-P", "--policy" -> {
                    if (!isBuiltin(chain)) {
                        throw new IllegalArgumentException("can only set the policy of a built-in chain");
                    }
                    policies.put(chain, rest.trim());
                }
                default -> throw new IllegalArgumentException("unsupported command " + command);
            }
            if (command.equals("-F") || command.equals("--flush")) {
                mutableRules(chain).clear();
            }
        }

        private void declare(String chain, String policy) {
            if (isBuiltin(chain)) {
                if (policy.equals("-")) {
                    throw new IllegalArgumentException("built-in chain needs a policy");
                }
                policies.put(chain, policy);   // rules stay: --noflush does not flush built-in chains
                return;
            }
            if (!policy.equals("-")) {
                throw new IllegalArgumentException("user chain cannot have a policy");
            }
            List<String> existing = rules.containsKey(chain) ? mutableRules(chain) : null;
            if (existing != null) {
                existing.forEach(r -> addRef(r, -1));
                existing.clear();
            } else {
                policies.put(chain, "-");
                rules.put(chain, new ArrayList<>());
            }
        }

        private void insert(String chain, int position, String spec) {
            List<String> list = mutableRules(chain);
            checkTarget(spec);
            if (position == -1) {
                list.add(spec);
            } else {
                if (position < 1 || position > list.size() + 1) {
                    throw new IllegalArgumentException("index of insertion too big");
                }
                list.add(position - 1, spec);
            }
            addRef(spec, 1);
        }

        private void delete(String chain, String specOrNumber) {
            List<String> list = mutableRules(chain);
            if (!specOrNumber.isEmpty() && specOrNumber.chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(specOrNumber);
                if (n < 1 || n > list.size()) {
                    throw new IllegalArgumentException("index of deletion too big");
                }
                addRef(list.remove(n - 1), -1);
                return;
            }
            if (!list.remove(specOrNumber)) {
                throw new IllegalArgumentException("bad rule (does a matching rule exist in that chain?)");
            }
            addRef(specOrNumber, -1);
        }

        private void deleteChain(String chain) {
            if (isBuiltin(chain)) {
                throw new IllegalArgumentException("cannot delete built-in chain");
            }
            if (!chainRules(chain).isEmpty()) {
                throw new IllegalArgumentException("chain " + chain + " is not empty");
            }
            if (references().getOrDefault(chain, 0) > 0) {
                throw new IllegalArgumentException("chain " + chain + " is still referenced");
            }
            rules.remove(chain);
            policies.remove(chain);
            unchanged.remove(chain);
        }

        private void checkTarget(String spec) {
            Optional<String> target = RuleText.target(spec);
            if (target.isEmpty() || EXTENSION_TARGETS.contains(target.get())) {
                return;
            }
            if (!rules.containsKey(target.get()) || isBuiltin(target.get())) {
                throw new IllegalArgumentException("Couldn't load target '" + target.get() + "'");
            }
        }

        private Map<String, Integer> references() {
            if (references == null) {
                references = new HashMap<>();
                rules.values().forEach(list -> list.forEach(r -> addRef(r, 1)));
            }
            return references;
        }

        private void addRef(String spec, int delta) {
            if (references == null) {
                return;   // not counted yet: references() counts the rules as they are then
            }
            RuleText.target(spec).ifPresent(t -> references.merge(t, delta, Integer::sum));
        }

        private List<String> chainRules(String chain) {
            List<String> list = rules.get(chain);
            if (list == null) {
                throw new IllegalArgumentException("chain '" + chain + "' does not exist");
            }
            return list;
        }

        /** The chain's rules, copied first if they are still the existing table's (shared) list. */
        private List<String> mutableRules(String chain) {
            List<String> list = chainRules(chain);
            if (unchanged.remove(chain) != null) {
                list = new ArrayList<>(list);
                rules.put(chain, list);
            }
            return list;
        }

        private boolean isBuiltin(String chain) {
            String policy = policies.get(chain);
            return policy != null ? !policy.equals("-") : Ownership.isBuiltin(chain);
        }

        Table toTable() {
            Map<String, Chain> chains = new LinkedHashMap<>();
            List<Chain> user = new ArrayList<>();
            for (Map.Entry<String, String> e : policies.entrySet()) {
                Chain kept = unchanged.get(e.getKey());
                Chain chain = kept != null && kept.policy().equals(e.getValue()) ? kept
                        : new Chain(e.getKey(), e.getValue(), rules.get(e.getKey()));
                if (chain.builtin()) {
                    chains.put(chain.name(), chain);
                } else {
                    user.add(chain);
                }
            }
            // Alphabetical, as iptables-save lists them. The existing chains come first and are already
            // in order, so this sort is close to linear (a TreeMap was n log n with an allocation each).
            user.sort(Comparator.comparing(Chain::name));
            user.forEach(c -> chains.put(c.name(), c));
            return new Table(name, chains);
        }
    }
}
