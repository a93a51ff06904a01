package io.svcproxy.nftables;

import java.util.List;

/** One rule: its expressions and its comment (nft keeps the comment in the rule's user data). */
public record NftRule(List<NftExpr> exprs, String comment) {
    public NftRule {
        exprs = List.copyOf(exprs);
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
    }

    public static NftRule of(List<NftExpr> exprs) {
        return new NftRule(exprs, null);
    }
}
