package io.svcproxy.nftables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a batch of {@link NftOp}s to tables held as values, with the kernel's rules for what it
 * refuses: a missing table, chain, set or element is ENOENT; deleting a chain that still has rules
 * or is jumped to, or a set a rule still uses, is EBUSY; re-declaring an object differently is
 * EEXIST; adding an element whose key exists with other data is EEXIST. A refused batch changes
 * nothing (the input map is never modified). The fake kernel and the diff's property tests both
 * run on it, so what the diff emits is checked against the same rules the kernel enforces.
 */
public final class NftSimulator {
    public static final int ENOENT = 2;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;

    private NftSimulator() {
    }

    /** The tables after {@code ops}; throws {@link NftApplyException} (and changes nothing) on a refusal. */
    public static Map<NftTableKey, NftTable> apply(Map<NftTableKey, NftTable> tables, List<NftOp> ops) {
        Map<NftTableKey, Mutable> state = new LinkedHashMap<>();
        tables.forEach((k, t) -> state.put(k, new Mutable(t)));
        for (NftOp op : ops) {
            applyOne(state, op);
        }
        Map<NftTableKey, NftTable> out = new LinkedHashMap<>();
        state.forEach((k, m) -> out.put(k, m.freeze()));
        return out;
    }

    private static void applyOne(Map<NftTableKey, Mutable> state, NftOp op) {
        NftTableKey key = NftTableKey.of(op);
        if (op instanceof NftOp.AddTable add) {
            state.computeIfAbsent(key, k -> new Mutable(NftTable.empty(add.family(), add.table(), add.comment())));
            return;
        }
        Mutable t = state.get(key);
        if (t == null) {
            throw refused(op, ENOENT, "no table " + key);
        }
        if (op instanceof NftOp.DeleteTable) {
            state.remove(key);
        } else if (op instanceof NftOp.AddChain a) {
            NftChain existing = t.declarations.get(a.chain().name());
            if (existing == null) {
                t.chains.put(a.chain().name(), new ArrayList<>());
                t.declarations.put(a.chain().name(), a.chain());
            } else if (!existing.sameDeclaration(a.chain())) {
                throw refused(op, EEXIST, "chain " + a.chain().name() + " exists with another declaration");
            }
        } else if (op instanceof NftOp.FlushChain f) {
            rulesOf(t, op, f.chain()).clear();
        } else if (op instanceof NftOp.DeleteChain d) {
            if (!rulesOf(t, op, d.chain()).isEmpty()) {
                throw refused(op, EBUSY, "chain " + d.chain() + " still has rules");
            }
            if (NftReferences.referencedChains(t.freeze()).contains(d.chain())) {
                throw refused(op, EBUSY, "chain " + d.chain() + " is still jumped to");
            }
            t.chains.remove(d.chain());
            t.declarations.remove(d.chain());
        } else if (op instanceof NftOp.AddRule r) {
            List<NftRule> rules = rulesOf(t, op, r.chain());
            for (String set : NftReferences.referencedSets(r.rule())) {
                if (!t.sets.containsKey(set)) {
                    throw refused(op, ENOENT, "no set " + set);
                }
            }
            Set<String> targets = new java.util.HashSet<>();
            NftReferences.collectChains(r.rule(), targets);
            for (String target : targets) {
                if (!t.chains.containsKey(target)) {
                    throw refused(op, ENOENT, "no chain " + target);
                }
            }
            rules.add(r.rule());
        } else if (op instanceof NftOp.AddSet s) {
            NftSet existing = t.sets.get(s.set().name());
            if (existing == null) {
                t.sets.put(s.set().name(), s.set());
                t.elements.put(s.set().name(), new TreeMap<>());
            } else if (!existing.sameDeclaration(s.set())) {
                throw refused(op, EEXIST, "set " + s.set().name() + " exists with another declaration");
            }
        } else if (op instanceof NftOp.DeleteSet d) {
            setOf(t, op, d.set());
            for (Map.Entry<String, List<NftRule>> chain : t.chains.entrySet()) {
                for (NftRule rule : chain.getValue()) {
                    if (NftReferences.referencedSets(rule).contains(d.set())) {
                        throw refused(op, EBUSY, "set " + d.set() + " is used by chain " + chain.getKey());
                    }
                }
            }
            t.sets.remove(d.set());
            t.elements.remove(d.set());
        } else if (op instanceof NftOp.AddElements a) {
            Map<Bytes, NftElement> elements = setOf(t, op, a.set());
            for (NftElement el : a.elements()) {
                if (el.verdict() != null && el.verdict().chain() != null
                        && !t.chains.containsKey(el.verdict().chain())) {
                    throw refused(op, ENOENT, "no chain " + el.verdict().chain());
                }
                NftElement existing = elements.get(el.key());
                if (existing != null && !existing.equals(el)) {
                    throw refused(op, EEXIST, "element " + el.key() + " of " + a.set() + " exists with other data");
                }
                elements.put(el.key(), el);
            }
        } else if (op instanceof NftOp.DeleteElements d) {
            Map<Bytes, NftElement> elements = setOf(t, op, d.set());
            for (NftElement el : d.elements()) {
                if (elements.remove(el.key()) == null) {
                    throw refused(op, ENOENT, "no element " + el.key() + " in " + d.set());
                }
            }
        }
    }

    private static List<NftRule> rulesOf(Mutable t, NftOp op, String chain) {
        List<NftRule> rules = t.chains.get(chain);
        if (rules == null) {
            throw refused(op, ENOENT, "no chain " + chain);
        }
        return rules;
    }

    private static Map<Bytes, NftElement> setOf(Mutable t, NftOp op, String set) {
        Map<Bytes, NftElement> elements = t.elements.get(set);
        if (elements == null) {
            throw refused(op, ENOENT, "no set " + set);
        }
        return elements;
    }

    private static NftApplyException refused(NftOp op, int errno, String why) {
        return new NftApplyException(why, op, errno);
    }

    /** One table while a batch is applied to it. */
    private static final class Mutable {
        final NftFamily family;
        final String name;
        final String comment;
        final Map<String, NftChain> declarations = new LinkedHashMap<>();
        final Map<String, List<NftRule>> chains = new LinkedHashMap<>();
        final Map<String, NftSet> sets = new LinkedHashMap<>();
        final Map<String, Map<Bytes, NftElement>> elements = new HashMap<>();

        Mutable(NftTable t) {
            family = t.family();
            name = t.name();
            comment = t.comment();
            t.chains().forEach((n, c) -> {
                declarations.put(n, c.withRules(List.of()));
                chains.put(n, new ArrayList<>(c.rules()));
            });
            t.sets().forEach((n, s) -> {
                sets.put(n, s.withElements(List.of()));
                Map<Bytes, NftElement> els = new TreeMap<>();
                s.elements().forEach(e -> els.put(e.key(), e));
                elements.put(n, els);
            });
        }

        NftTable freeze() {
            Map<String, NftChain> cs = new LinkedHashMap<>();
            declarations.forEach((n, d) -> cs.put(n, d.withRules(chains.get(n))));
            Map<String, NftSet> ss = new LinkedHashMap<>();
            sets.forEach((n, s) -> ss.put(n, s.withElements(new ArrayList<>(elements.get(n).values()))));
            return new NftTable(family, name, comment, cs, ss);
        }
    }
}
