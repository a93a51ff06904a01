package io.svcproxy.nftables;

import java.util.HashSet;
import java.util.Set;

/**
 * Who refers to what inside one table: the kernel refuses to delete a chain something still jumps
 * to, or a set a rule still looks up (EBUSY), so the diff and the fake kernel both ask this.
 */
public final class NftReferences {
    private NftReferences() {
    }

    /** Chains jumped to or gone to from any rule, anonymous map or named verdict map of the table. */
    public static Set<String> referencedChains(NftTable table) {
        Set<String> out = new HashSet<>();
        for (NftChain chain : table.chains().values()) {
            for (NftRule rule : chain.rules()) {
                collectChains(rule, out);
            }
        }
        for (NftSet set : table.sets().values()) {
            collectChains(set, out);
        }
        return out;
    }

    /** Chains a rule jumps to: its immediate verdicts and the verdicts of its anonymous maps. */
    public static void collectChains(NftRule rule, Set<String> out) {
        for (NftExpr e : rule.exprs()) {
            if (e instanceof NftExpr.Immediate imm && imm.verdict() != null && imm.verdict().chain() != null) {
                out.add(imm.verdict().chain());
            } else if (e instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Anonymous a) {
                collectChains(a.set(), out);
            }
        }
    }

    private static void collectChains(NftSet set, Set<String> out) {
        for (NftElement el : set.elements()) {
            if (el.verdict() != null && el.verdict().chain() != null) {
                out.add(el.verdict().chain());
            }
        }
    }

    /** Named sets a rule reads (lookup, vmap) or writes (dynset). */
    public static Set<String> referencedSets(NftRule rule) {
        Set<String> out = new HashSet<>();
        for (NftExpr e : rule.exprs()) {
            if (e instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Named n) {
                out.add(n.name());
            } else if (e instanceof NftExpr.Dynset d) {
                out.add(d.set());
            }
        }
        return out;
    }

    /** Named sets any rule of the chain refers to. */
    public static Set<String> referencedSets(NftChain chain) {
        Set<String> out = new HashSet<>();
        for (NftRule rule : chain.rules()) {
            out.addAll(referencedSets(rule));
        }
        return out;
    }
}
