package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;

import java.util.ArrayList;
import java.util.List;

/**
 * The ops that create a whole table from nothing, in the order nft sends a ruleset file: the table,
 * every chain's declaration, each set with its elements, then every chain's rules.
 */
final class NftTableOps {
    private NftTableOps() {
    }

    static List<NftOp> create(NftTable t) {
        List<NftOp> ops = new ArrayList<>();
        ops.add(new NftOp.AddTable(t.family(), t.name(), t.comment()));
        for (NftChain c : t.chains().values()) {
            ops.add(new NftOp.AddChain(t.family(), t.name(), c));
        }
        for (NftSet s : t.sets().values()) {
            ops.add(new NftOp.AddSet(t.family(), t.name(), s));
            if (!s.elements().isEmpty()) {
                ops.add(new NftOp.AddElements(t.family(), t.name(), s.name(), s.elements()));
            }
        }
        for (NftChain c : t.chains().values()) {
            for (NftRule r : c.rules()) {
                ops.add(new NftOp.AddRule(t.family(), t.name(), c.name(), r));
            }
        }
        return ops;
    }
}
