package io.svcproxy.explain.nftables;

import io.svcproxy.explain.Explanation;
import io.svcproxy.explain.Flow;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Origin;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.Path;
import io.svcproxy.explain.Verdict;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Walks the first packet of a connection through nf_tables tables: at each hook the base chains of
 * every table given, by priority (an accept ends one base chain, the next still runs), the routing
 * decision after prerouting on the destination as DNATed, then input, or forward and postrouting.
 */
public final class NftExplainer {
    private NftExplainer() {
    }

    public static Explanation explain(List<NftTable> tables, Packet packet, NodeFacts node, String rulesName) {
        List<Path> done = new ArrayList<>();
        List<Flow> live = List.of(Flow.start(packet));
        List<String> notes = new ArrayList<>();
        if (packet.origin() == Origin.ROUTED) {
            live = hook(tables, NftChain.PREROUTING, live, packet, node, done);
            List<Flow> local = live.stream().filter(f -> node.isLocal(f.destination())).toList();
            List<Flow> routed = live.stream().filter(f -> !node.isLocal(f.destination())).toList();
            hook(tables, NftChain.INPUT, local, packet, node, done).forEach(f -> done.add(f.end(null)));
            List<Flow> fwd = hook(tables, NftChain.FORWARD, routed, packet, node, done);
            hook(tables, NftChain.POSTROUTING, fwd, packet, node, done).forEach(f -> done.add(f.end(null)));
            if (!local.isEmpty()) {
                notes.add("the destination is this node's address: delivered locally (input)");
            }
        } else {
            List<Flow> out = hook(tables, NftChain.OUTPUT, live, packet, node, done);
            hook(tables, NftChain.POSTROUTING, out, packet, node, done).forEach(f -> done.add(f.end(null)));
        }
        return new Explanation(packet, rulesName, done, notes);
    }

    private static List<Flow> hook(List<NftTable> tables, int hook, List<Flow> flows, Packet packet, NodeFacts node,
                                   List<Path> done) {
        record Base(NftTable table, NftChain chain) {
        }
        List<Base> chains = new ArrayList<>();
        for (NftTable t : tables) {
            if (t.family().ipFamily() != packet.family()) {
                continue;
            }
            for (NftChain c : t.chains().values()) {
                if (c.isBase() && c.base().hook() == hook) {
                    chains.add(new Base(t, c));
                }
            }
        }
        chains.sort(Comparator.comparingInt(b -> b.chain().base().priority()));
        List<Flow> live = flows;
        for (Base b : chains) {
            NftChainWalker walker = new NftChainWalker(b.table(), packet, node);
            List<Flow> next = new ArrayList<>();
            for (Flow f : live) {
                for (NftChainWalker.Exit e : walker.base(b.chain(), f)) {
                    switch (e.kind()) {
                        case ACCEPT -> next.add(e.flow());
                        case DROP -> done.add(e.flow().end(Verdict.DROPPED));
                        case REJECT -> done.add(e.flow().end(Verdict.REJECTED));
                        default -> throw new IllegalStateException("a base chain exits with " + e.kind());
                    }
                }
            }
            live = next;
        }
        return live;
    }
}
