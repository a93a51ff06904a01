package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Hop;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a flow through one table's chains as the kernel does: rules in order, jumps and gotos,
 * RETURN and the end of a user chain back to the caller, a built-in chain's policy at its end.
 * A statistic match forks the flow into "taken" (p) and "not taken" (1 - p).
 */
final class ChainWalker {
    /** Deeper than any real ruleset nests; guards against a jump loop in a hand-made dump. */
    private static final int MAX_DEPTH = 64;

    enum Kind { CONTINUE, RETURN, DROP, REJECT }

    /** How a flow leaves a chain: CONTINUE = accepted by this table (or its policy), RETURN to the caller. */
    record Exit(Kind kind, Flow flow) {
    }

    private final Ruleset rules;
    private final Packet packet;
    private final NodeFacts node;
    private final SetMatcher sets;
    private final Map<String, ParsedRule> parsed = new HashMap<>();

    ChainWalker(Ruleset rules, Packet packet, NodeFacts node, SetMatcher sets) {
        this.rules = rules;
        this.packet = packet;
        this.node = node;
        this.sets = sets;
    }

    /** A built-in chain; a table or chain the ruleset lacks lets the flow through untouched. */
    List<Exit> hook(String table, String chain, Flow flow) {
        Table t = rules.table(table);
        if (t == null || t.chain(chain) == null) {
            return List.of(new Exit(Kind.CONTINUE, flow));
        }
        List<Exit> out = new ArrayList<>();
        for (Exit e : run(t, chain, 0, flow, null, 0)) {
            out.add(e.kind() == Kind.RETURN ? new Exit(Kind.CONTINUE, e.flow()) : e);
        }
        return out;
    }

    /** Runs {@code chain} from rule {@code from}; {@code caller} is the hop that jumped here (for reasons). */
    private List<Exit> run(Table t, String chainName, int from, Flow flow, Hop caller, int depth) {
        Chain chain = t.chain(chainName);
        if (chain == null || depth > MAX_DEPTH) {
            return List.of(new Exit(Kind.RETURN, flow.hop(new Hop(t.name() + " " + chainName, "(missing chain)",
                    true, chain == null ? "jump to a chain that does not exist" : "jump loop, walk stopped"))));
        }
        List<String> specs = chain.rules();
        Flow f = flow;
        for (int i = from; i < specs.size(); i++) {
            ParsedRule rule = parsed.computeIfAbsent(specs.get(i), RuleParser::parse);
            Test result = Test.YES;
            for (Condition c : rule.conditions()) {
                Test r = c.test(packet, f, node, sets);
                if (r instanceof Test.No) {
                    result = r;
                    break;
                }
                if (r instanceof Test.Unknown && !(result instanceof Test.Unknown)) {
                    result = r;
                } else if (r instanceof Test.Random && result instanceof Test.Yes) {
                    result = r;
                }
            }
            Hop hop = hop(t.name(), chainName, rule);
            if (result instanceof Test.No) {
                continue;
            }
            if (result instanceof Test.Unknown u) {
                f = f.hop(hop.withNote("not evaluated: " + u.why() + "; taken as not matching"));
                continue;
            }
            if (result instanceof Test.Random r) {
                List<Exit> out = new ArrayList<>(act(t, chainName, i, rule,
                        f.scaled(r.p()), hop.withNote(String.format(Locale.ROOT, "random: taken with p=%.4f", r.p())),
                        caller, depth));
                if (r.p() < 1.0) {
                    out.addAll(run(t, chainName, i + 1, f.scaled(1 - r.p()), caller, depth));
                }
                return out;
            }
            return act(t, chainName, i, rule, f, hop, caller, depth);
        }
        if (chain.builtin()) {
            Kind k = chain.policy().equals("DROP") ? Kind.DROP : Kind.CONTINUE;
            return List.of(new Exit(k, k == Kind.DROP
                    ? f.hop(new Hop(t.name() + " " + chainName, "policy DROP", true, "end of chain")) : f));
        }
        return List.of(new Exit(Kind.RETURN, f));
    }

    /** What a matched rule's target does; a non-terminating one continues with the next rule. */
    private List<Exit> act(Table t, String chainName, int i, ParsedRule rule, Flow flow, Hop hop, Hop caller,
                           int depth) {
        Target target = rule.target();
        String name = target.name();
        Flow f = rule.text().contains("-m recent --set") ? flow.withAffinity(affinity(flow)) : flow;
        if (t.chain(name) != null) {
            Flow in = f.hop(hop.withNote(note(hop, target.goTo() ? "goto " + name : "jump " + name)));
            if (target.goTo()) {
                return run(t, name, 0, in, hop, depth + 1);
            }
            List<Exit> out = new ArrayList<>();
            for (Exit e : run(t, name, 0, in, hop, depth + 1)) {
                out.addAll(e.kind() == Kind.RETURN ? run(t, chainName, i + 1, e.flow(), caller, depth) : List.of(e));
            }
            return out;
        }
        switch (name) {
            case "" -> {
                return run(t, chainName, i + 1, f.hop(hop.withNote(note(hop, "no target: counted only"))), caller,
                        depth);
            }
            case "RETURN" -> {
                return List.of(new Exit(Kind.RETURN, f.hop(hop.withNote(note(hop, "return")))));
            }
            case "ACCEPT" -> {
                return List.of(new Exit(Kind.CONTINUE, f.hop(hop.withNote(note(hop, "accept")))));
            }
            case "DROP" -> {
                return List.of(new Exit(Kind.DROP, f.hop(hop.withNote(note(hop, "drop")))));
            }
            case "REJECT" -> {
                return List.of(new Exit(Kind.REJECT, f.hop(hop.withNote(note(hop, "reject")))));
            }
            case "DNAT" -> {
                String to = target.option("--to-destination");
                Flow d = dnat(f, to);
                return List.of(new Exit(Kind.CONTINUE, d.hop(hop.withNote(note(hop, "DNAT to " + d.endpoint())))));
            }
            case "MASQUERADE", "SNAT" -> {
                String why = f.masqueradeReason() != null ? f.masqueradeReason()
                        : rule.text().contains("KUBE-LOOP-BACK") ? "hairpin: the endpoint reaches itself through the"
                        + " service, by: " + hop.rule() : "by: " + hop.rule();
                return List.of(new Exit(Kind.CONTINUE, f.hop(hop.withNote(note(hop, name.toLowerCase(Locale.ROOT))))
                        .masquerade(why)));
            }
            case "MARK" -> {
                long before = f.mark();
                Flow m = f.withMark(setXmark(before, target.option("--set-xmark")));
                // kube-proxy's masquerade bit is set by a jump to KUBE-MARK-MASQ: the jumping rule is the reason
                if ((m.mark() & ~before) != 0 && caller != null && !Ownership.isBuiltin(chainName)) {
                    m = m.masqueradeReason(MasqueradeReasons.of(caller));
                }
                return run(t, chainName, i + 1, m.hop(hop.withNote(note(hop, String.format("mark 0x%x -> 0x%x",
                        before, m.mark())))), caller, depth);
            }
            case "LOG", "NFLOG", "AUDIT", "TRACE", "NFACCT" -> {
                return run(t, chainName, i + 1, f.hop(hop.withNote(note(hop, "logged, continues"))), caller, depth);
            }
            default -> {
                return run(t, chainName, i + 1, f.hop(hop.withNote("not evaluated: target " + name
                        + " (its effect is not modelled); continues")), caller, depth);
            }
        }
    }

    /** The timeout comes from the affinity check (--rcheck --seconds N) the walk passed before the --set. */
    private static String affinity(Flow f) {
        for (int i = f.hops().size() - 1; i >= 0; i--) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("--rcheck --seconds (\\d+)")
                    .matcher(f.hops().get(i).rule());
            if (m.find()) {
                return "sticky for " + m.group(1) + " s: the source is recorded in the endpoint's -m recent list, and"
                        + " later connections from it go to the same endpoint while it is there";
            }
        }
        return "recorded in a -m recent list";
    }

    private static String note(Hop hop, String what) {
        return hop.note() == null ? what : hop.note() + "; " + what;
    }

    /** --to-destination IP[:PORT] or [IPv6]:PORT; without a port the destination port stays. */
    private static Flow dnat(Flow f, String to) {
        String host = to;
        int port = f.port();
        if (to.startsWith("[")) {
            int end = to.indexOf(']');
            host = to.substring(1, end);
            if (end + 1 < to.length() && to.charAt(end + 1) == ':') {
                port = Integer.parseInt(to.substring(end + 2));
            }
        } else if (to.indexOf(':') > 0 && to.indexOf(':') == to.lastIndexOf(':')) {
            host = to.substring(0, to.indexOf(':'));
            port = Integer.parseInt(to.substring(to.indexOf(':') + 1));
        }
        return f.dnat(literal(host), port);
    }

    static InetAddress literal(String host) {
        return io.svcproxy.model.Addresses.parseIp(host);   // a literal only: never a name lookup
    }

    /** MARK --set-xmark V/M: clear M, then xor V. */
    private static long setXmark(long mark, String vm) {
        if (vm == null) {
            return mark;
        }
        String[] p = vm.split("/");
        long v = Long.decode(p[0]);
        long m = p.length > 1 ? Long.decode(p[1]) : 0xffffffffL;
        return ((mark & ~m) ^ v) & 0xffffffffL;
    }

    private static Hop hop(String table, String chain, ParsedRule rule) {
        return new Hop(table + " " + chain, "-A " + chain + " " + rule.text(),
                foreign(table, chain, rule.target().name()), null);
    }

    static boolean foreign(String table, String chain, String target) {
        if (Ownership.isOwnedChain(table, chain)) {
            return false;
        }
        return !(Ownership.isBuiltin(chain) && Ownership.isOwnedChain(table, target));
    }
}
