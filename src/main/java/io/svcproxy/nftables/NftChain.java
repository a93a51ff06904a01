package io.svcproxy.nftables;

import java.util.List;

/** A chain of one table: a base chain when {@code base} is set, else a regular one; its rules in order. */
public record NftChain(String name, Base base, String comment, List<NftRule> rules) {
    /** Hook numbers of the IP families (NF_INET_*). */
    public static final int PREROUTING = 0;
    public static final int INPUT = 1;
    public static final int FORWARD = 2;
    public static final int OUTPUT = 3;
    public static final int POSTROUTING = 4;

    /** A base chain's type ("filter", "nat"), hook, priority and policy (accept unless said). */
    public record Base(String type, int hook, int priority, NftVerdict policy) {
        public Base {
            if (policy == null) {
                policy = NftVerdict.ACCEPT;
            }
        }
    }

    public NftChain {
        rules = List.copyOf(rules);
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
    }

    public static NftChain regular(String name, List<NftRule> rules) {
        return new NftChain(name, null, null, rules);
    }

    public boolean isBase() {
        return base != null;
    }

    public NftChain withRules(List<NftRule> newRules) {
        return new NftChain(name, base, comment, newRules);
    }

    /** Same declaration (base, comment), rules aside. */
    public boolean sameDeclaration(NftChain o) {
        return name.equals(o.name) && java.util.Objects.equals(base, o.base)
                && java.util.Objects.equals(comment, o.comment);
    }
}
