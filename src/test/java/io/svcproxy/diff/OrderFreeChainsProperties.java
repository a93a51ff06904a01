package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order a node keeps in an order-free shared chain ({@link OrderFreeChains}) gives every packet
 * the same verdicts as the desired order. Checked against a small packet matcher of its own (protocol,
 * destination port, destination address or prefix, {@code addrtype LOCAL}), over random kube-proxy-shaped
 * chains with the overlaps kube-proxy writes (a NodePort's 127.0.0.0/8 rule beside its general one,
 * health-check ports shared by services, external IPs on a NodePort's port, a jump that must stay last),
 * and random node orders: shuffles, rules missing and stale.
 */
class OrderFreeChainsProperties {
    private static final List<String> PROTOCOLS = List.of("tcp", "udp");
    private static final List<Integer> PORTS = List.of(53, 80, 443, 30080, 30081);
    private static final List<String> HOSTS = List.of("10.96.0.1", "10.96.0.2", "10.96.0.3", "203.0.113.7");
    private static final String NODE_IP = "10.250.0.2";
    private static final String LAST = "-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS";

    /** A random rule of one of the shapes kube-proxy puts in KUBE-SERVICES / KUBE-NODEPORTS / KUBE-EXTERNAL-SERVICES. */
    static String rule(Random r, int i) {
        String p = PROTOCOLS.get(r.nextInt(PROTOCOLS.size()));
        int port = PORTS.get(r.nextInt(PORTS.size()));
        String comment = "-m comment --comment \"ns/s" + i + ":p\"";
        String target = switch (r.nextInt(4)) {
            case 0 -> "-j KUBE-SVC-" + r.nextInt(4);
            case 1 -> "-j KUBE-EXT-" + r.nextInt(4);
            case 2 -> "-j REJECT --reject-with icmp-port-unreachable";
            default -> "-j ACCEPT";
        };
        return switch (r.nextInt(5)) {
            case 0 -> "-d 127.0.0.0/8 -p " + p + " " + comment + " -m " + p + " --dport " + port
                    + " -m nfacct --nfacct-name  localhost_nps_accepted_pkts " + target;
            case 1 -> "-p " + p + " " + comment + " -m addrtype --dst-type LOCAL -m " + p + " --dport " + port + " " + target;
            case 2 -> "-p " + p + " " + comment + " -m " + p + " --dport " + port + " " + target;
            default -> "-d " + HOSTS.get(r.nextInt(HOSTS.size())) + "/32 -p " + p + " " + comment + " -m " + p + " --dport "
                    + port + " " + target;
        };
    }

    static List<String> chain(Random r, int n) {
        Set<String> rules = new LinkedHashSet<>();
        for (int i = 0; rules.size() < n && i < 10 * n; i++) {
            rules.add(rule(r, r.nextInt(3 * n + 1)));   // comments repeat: rules that differ only there
        }
        List<String> out = new ArrayList<>(rules);
        if (r.nextInt(4) == 0 && !out.isEmpty()) {
            out.add(r.nextInt(out.size()), "-m comment --comment \"no port: matches anything\" -j KUBE-MARK-MASQ");
        }
        if (r.nextBoolean()) {
            out.add(LAST);
        }
        return out;
    }

    /** A node's version of want: shuffled, some rules dropped, some stale ones added. */
    static List<String> nodeOrder(Random r, List<String> want) {
        List<String> have = new ArrayList<>(want);
        Collections.shuffle(have, r);
        if (r.nextBoolean()) {
            // kube-proxy's kind of order: the last rule stays last, the rest shuffled
            have = new ArrayList<>(want.subList(0, Math.max(0, want.size() - 1)));
            Collections.shuffle(have, r);
            if (!want.isEmpty()) {
                have.add(want.get(want.size() - 1));
            }
        }
        int drops = r.nextInt(3);
        for (int i = 0; i < drops && !have.isEmpty(); i++) {
            have.remove(r.nextInt(have.size()));
        }
        int stale = r.nextInt(3);
        for (int i = 0; i < stale; i++) {
            String extra = rule(r, 1000 + i);
            if (!have.contains(extra)) {
                have.add(r.nextInt(have.size() + 1), extra);
            }
        }
        return have;
    }

    private static final Pattern D = Pattern.compile("(?:^| )-d (\\S+)/(\\d+)");
    private static final Pattern P = Pattern.compile("(?:^| )-p (\\S+)");
    private static final Pattern DPORT = Pattern.compile("--dport (\\d+)");

    /** Whether rule matches a packet (protocol, destination port, destination address). */
    static boolean matches(String rule, String proto, int port, String dst) {
        Matcher d = D.matcher(rule);
        if (d.find()) {
            String net = d.group(1);
            int len = Integer.parseInt(d.group(2));
            if (len == 32 ? !net.equals(dst) : !(len == 8 && dst.startsWith(net.substring(0, net.indexOf('.') + 1)))) {
                return false;
            }
        }
        Matcher p = P.matcher(rule);
        if (p.find() && !p.group(1).equals(proto)) {
            return false;
        }
        Matcher dp = DPORT.matcher(rule);
        if (dp.find() && Integer.parseInt(dp.group(1)) != port) {
            return false;
        }
        return !rule.contains("--dst-type LOCAL") || dst.equals(NODE_IP) || dst.startsWith("127.");
    }

    /** Every packet's verdicts: the matching rules in order, comments aside (a jump can return). */
    static Map<String, List<String>> verdicts(List<String> rules) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> dsts = new ArrayList<>(HOSTS);
        dsts.add(NODE_IP);
        dsts.add("127.0.0.1");
        dsts.add("10.96.9.9");
        for (String proto : PROTOCOLS) {
            for (int port : PORTS) {
                for (String dst : dsts) {
                    List<String> seen = new ArrayList<>();
                    for (String rule : rules) {
                        if (matches(rule, proto, port, dst)) {
                            seen.add(OrderFreeChains.verdict(rule));
                        }
                    }
                    out.put(proto + " " + dst + ":" + port, seen);
                }
            }
        }
        return out;
    }

    @Property(tries = 400)
    void anOrderCalledEquivalentGivesEveryPacketTheSameVerdicts(@ForAll long seed) {
        Random r = new Random(seed);
        List<String> want = chain(r, 1 + r.nextInt(14));
        List<String> have = new ArrayList<>(want);
        Collections.shuffle(have, r);
        boolean equivalent = OrderFreeChains.equivalent(have, want);
        if (equivalent) {
            assertEquals(verdicts(want), verdicts(have), () -> "have " + have + "\nwant " + want);
        }
        List<String> kept = OrderFreeChains.keepOrder(nodeOrder(r, want), want);
        Statistics.label("shuffle equivalent").collect(equivalent && !have.equals(want));
        Statistics.label("node order kept").collect(kept != null && !kept.equals(want));
        if (kept != null) {
            assertEquals(verdicts(want), verdicts(kept), () -> "kept " + kept + "\nwant " + want);
        }
    }

    @Property(tries = 200)
    void theDiffOfAnOrderFreeChainEditsOnlyWhatDiffersAndReachesAFixpoint(@ForAll long seed) {
        Random r = new Random(seed);
        List<String> want = chain(r, 1 + r.nextInt(30));
        List<String> have = nodeOrder(r, want);
        String table = r.nextBoolean() ? "nat" : "filter";
        IptablesPlan plan = new IptablesPlan(ruleset(table, want), Map.of(), List.of(), List.of());
        Ruleset actual = ruleset(table, have);

        ChangeSet changes = RulesetDiff.diff(actual, plan);
        Ruleset after = RulesetDiff.apply(actual, changes);
        assertEquals(RulesetDiff.simulate(actual, changes), after);
        List<String> got = after.table(table).chain("KUBE-SERVICES").rules();
        assertEquals(verdicts(want), verdicts(got), () -> "got " + got + "\nwant " + want + "\npayload:\n" + changes.payload());
        assertTrue(RulesetDiff.diff(after, plan).isEmpty(), () -> "not a fixpoint:\n" + RulesetDiff.diff(after, plan).payload());
        if (OrderFreeChains.equivalent(have, want)) {
            assertTrue(changes.isEmpty(), changes::payload);
        }
        Statistics.label("node order kept").collect(!got.equals(want));
        if (!got.equals(want)) {
            // The node's order was kept: nothing moved, only missing rules inserted and stale ones deleted.
            long missing = want.stream().filter(x -> !have.contains(x)).count();
            long stale = have.stream().filter(x -> !want.contains(x)).count();
            assertEquals(missing + stale, changes.counts().payloadLines(), changes::payload);
        }
    }

    private static Ruleset ruleset(String table, List<String> rules) {
        Map<String, Chain> chains = new LinkedHashMap<>();
        chains.put("KUBE-SERVICES", new Chain("KUBE-SERVICES", "-", rules));
        for (String target : List.of("KUBE-NODEPORTS", "KUBE-MARK-MASQ", "KUBE-SVC-0", "KUBE-SVC-1", "KUBE-SVC-2", "KUBE-SVC-3",
                "KUBE-EXT-0", "KUBE-EXT-1", "KUBE-EXT-2", "KUBE-EXT-3")) {
            chains.put(target, new Chain(target, "-", List.of()));
        }
        return new Ruleset(IpFamily.V4, Map.of(table, new Table(table, chains)));
    }
}
