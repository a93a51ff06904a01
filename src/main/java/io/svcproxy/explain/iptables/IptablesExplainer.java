package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Explanation;
import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Hop;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Origin;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.Path;
import io.svcproxy.explain.Verdict;
import io.svcproxy.iptables.Ruleset;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks the first packet of a connection through an iptables ruleset, hook by hook in the kernel's
 * order: raw, mangle, nat PREROUTING (or OUTPUT for the node's own traffic), the routing decision
 * on the destination as DNATed (INPUT when it is the node's, else FORWARD), then mangle and nat
 * POSTROUTING where a routed or sent packet leaves. Random choices fork the walk, so each returned
 * path has its exact probability.
 */
public final class IptablesExplainer {
    private IptablesExplainer() {
    }

    public static Explanation explain(Ruleset rules, Packet packet, NodeFacts node, String rulesName) {
        return explain(rules, packet, node, rulesName, SetMatcher.NONE, LocalDelivery.ENDS_HERE);
    }

    /** With ipset matches answered by {@code sets} and what follows local delivery decided by {@code localIn}. */
    public static Explanation explain(Ruleset rules, Packet packet, NodeFacts node, String rulesName, SetMatcher sets,
                                      LocalDelivery localIn) {
        ChainWalker walker = new ChainWalker(rules, packet, node, sets);
        List<String> notes = new ArrayList<>();
        List<Flow> live = List.of(Flow.start(packet));
        List<Path> done = new ArrayList<>();
        String[][] before = packet.origin() == Origin.ROUTED
                ? new String[][] {{"raw", "PREROUTING"}, {"mangle", "PREROUTING"}, {"nat", "PREROUTING"}}
                : new String[][] {{"raw", "OUTPUT"}, {"mangle", "OUTPUT"}, {"nat", "OUTPUT"}, {"filter", "OUTPUT"}};
        live = stages(walker, before, live, done);
        List<Flow> local = new ArrayList<>();
        List<Flow> leaving = new ArrayList<>();
        for (Flow f : live) {
            // the node's own packet to its own address comes back in over loopback
            if (node.isLocal(f.destination())) {
                local.add(f);
            } else {
                leaving.add(f);
            }
        }
        String[][] post = {{"mangle", "POSTROUTING"}, {"nat", "POSTROUTING"}};
        if (packet.origin() == Origin.LOCAL) {
            local = stages(walker, post, local, done);
        }
        List<Flow> forwardedByNode = new ArrayList<>();
        for (Flow f : stages(walker, new String[][] {{"mangle", "INPUT"}, {"filter", "INPUT"}, {"nat", "INPUT"}},
                local, done)) {
            forwardedByNode.addAll(localIn.deliver(f, done));
        }
        for (Flow f : stages(walker, new String[][] {{"filter", "OUTPUT"}, {"mangle", "POSTROUTING"},
            {"nat", "POSTROUTING"}}, forwardedByNode, done)) {
            done.add(f.end(null));
        }
        String[][] after = packet.origin() == Origin.ROUTED
                ? new String[][] {{"mangle", "FORWARD"}, {"filter", "FORWARD"}, {"mangle", "POSTROUTING"},
                    {"nat", "POSTROUTING"}}
                : post;
        for (Flow f : stages(walker, after, leaving, done)) {
            done.add(f.end(null));
        }
        if (!local.isEmpty()) {
            notes.add("the destination is local to the node (its address, or in IPVS mode one bound on kube-ipvs0):"
                    + " delivered to INPUT");
        }
        return new Explanation(packet, rulesName, done, notes);
    }

    /** Runs each flow through each (table, built-in chain); flows that end there go to {@code done}. */
    private static List<Flow> stages(ChainWalker walker, String[][] hooks, List<Flow> flows, List<Path> done) {
        List<Flow> live = flows;
        for (String[] hook : hooks) {
            List<Flow> next = new ArrayList<>();
            for (Flow f : live) {
                for (ChainWalker.Exit e : walker.hook(hook[0], hook[1], f)) {
                    switch (e.kind()) {
                        case CONTINUE -> next.add(e.flow());
                        case DROP -> done.add(e.flow().end(Verdict.DROPPED));
                        case REJECT -> done.add(e.flow().end(Verdict.REJECTED));
                        default -> throw new IllegalStateException("a hook exits with " + e.kind());
                    }
                }
            }
            live = next;
        }
        return live;
    }


}
