package io.svcproxy.explain.nftables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Hop;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftVerdict;
import io.svcproxy.plan.nftables.NftNames;
import io.svcproxy.plan.nftables.NftText;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a flow through one table's chains as nft_do_chain does: rules in order, jump (push) and goto,
 * return and the end of a regular chain back to the caller, a base chain's policy at its end.
 */
final class NftChainWalker {
    /** nf_tables refuses deeper jump stacks (NFT_JUMP_STACK_SIZE). */
    private static final int MAX_DEPTH = 16;

    enum Kind { ACCEPT, RETURN, DROP, REJECT }

    record Exit(Kind kind, Flow flow) {
    }

    private final NftTable table;
    private final RuleMachine machine;
    private final Map<NftRule, String> texts = new IdentityHashMap<>();

    NftChainWalker(NftTable table, Packet packet, NodeFacts node) {
        this.table = table;
        this.machine = new RuleMachine(table, packet, node);
    }

    List<Exit> base(NftChain chain, Flow flow) {
        List<Exit> out = new ArrayList<>();
        for (Exit e : run(chain.name(), 0, flow, 0)) {
            out.add(e.kind() == Kind.RETURN ? new Exit(Kind.ACCEPT, e.flow()) : e);
        }
        return out;
    }

    private List<Exit> run(String chainName, int from, Flow flow, int depth) {
        NftChain chain = table.chains().get(chainName);
        String where = table.family().keyword() + " " + table.name() + " " + chainName;
        if (chain == null || depth > MAX_DEPTH) {
            return List.of(new Exit(Kind.RETURN, flow.hop(new Hop(where, "(missing chain)", true,
                    chain == null ? "jump to a chain that does not exist" : "jump stack too deep, walk stopped"))));
        }
        List<NftRule> rules = chain.rules();
        for (int i = from; i < rules.size(); i++) {
            NftRule rule = rules.get(i);
            String text = texts.computeIfAbsent(rule, r -> NftText.rule(r, table.family()));
            List<RuleRun> runs = machine.run(rule, chainName, text, flow);
            if (runs.size() == 1 && runs.get(0).kind() == RuleRun.Kind.NO_MATCH) {
                if (runs.get(0).note() != null) {   // an affinity check that missed: worth showing
                    flow = flow.hop(new Hop(where, text, !table.name().equals(NftNames.TABLE),
                            "no match: " + runs.get(0).note()));
                }
                continue;
            }
            List<Exit> out = new ArrayList<>();
            for (RuleRun r : runs) {
                Hop hop = new Hop(where, text, !table.name().equals(NftNames.TABLE), r.note());
                out.addAll(switch (r.kind()) {
                    case NO_MATCH -> run(chainName, i + 1, r.note() == null ? r.flow()
                            : r.flow().hop(hop.withNote("no match: " + r.note())), depth);
                    case UNKNOWN -> run(chainName, i + 1, r.flow().hop(hop.withNote("not evaluated: " + r.note()
                            + "; taken as not matching")), depth);
                    case NEXT -> run(chainName, i + 1, r.flow().hop(hop), depth);
                    case REJECT -> List.of(new Exit(Kind.REJECT, r.flow().hop(hop)));
                    case VERDICT -> verdict(chainName, i, r.verdict(), r.flow(), hop, depth);
                });
            }
            return out;
        }
        if (chain.isBase()) {
            boolean drop = chain.base().policy().kind() == NftVerdict.Kind.DROP;
            return List.of(drop ? new Exit(Kind.DROP, flow.hop(new Hop(where, "policy drop", false, "end of chain")))
                    : new Exit(Kind.ACCEPT, flow));
        }
        return List.of(new Exit(Kind.RETURN, flow));
    }

    private List<Exit> verdict(String chainName, int i, NftVerdict v, Flow flow, Hop hop, int depth) {
        String what = v.text();
        Hop h = hop.withNote(hop.note() == null ? what : hop.note().endsWith(what) ? hop.note() : hop.note() + "; "
                + what);
        Flow f = flow.hop(h);
        return switch (v.kind()) {
            case ACCEPT -> List.of(new Exit(Kind.ACCEPT, f));
            case DROP -> List.of(new Exit(Kind.DROP, f));
            case RETURN -> List.of(new Exit(Kind.RETURN, f));
            case GOTO -> run(v.chain(), 0, f, depth + 1);
            case JUMP -> {
                List<Exit> out = new ArrayList<>();
                for (Exit e : run(v.chain(), 0, f, depth + 1)) {
                    out.addAll(e.kind() == Kind.RETURN ? run(chainName, i + 1, e.flow(), depth) : List.of(e));
                }
                yield out;
            }
            default -> throw new IllegalStateException("verdict " + v);
        };
    }
}
