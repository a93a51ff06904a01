package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random kube-proxy-shaped desired states and random "actual" states derived from them (rules
 * dropped, shuffled, duplicated, changed; stale chains and jumps; missing jumps; foreign chains and
 * rules interleaved), checked against the restore simulator.
 */
class RulesetDiffProperties {
    static final String NODEPORTS = RulesetDiffTest.NODEPORTS;

    @Property(tries = 150)
    void applyingTheDiffReachesTheDesiredStateAndKeepsForeignRules(@ForAll long seed) {
        Random random = new Random(seed);
        Generated g = generate(random, random.nextInt(40), random.nextInt(4) == 0 ? random.nextInt(3000) : random.nextInt(20));
        Ruleset actual = mutate(g.plan.desired(), random);

        ChangeSet changes = RulesetDiff.diff(actual, g.plan);
        Ruleset after = RulesetDiff.apply(actual, changes);

        // apply builds the state from the diff's decisions; the in-memory iptables-restore of the payload agrees.
        assertEquals(RulesetDiff.simulate(actual, changes), after);
        // Every one of our chains is now the plan's own object: the next diff skips it by identity.
        // Except an order-free shared chain (OrderFreeChains) the node keeps in its own, equivalent order.
        for (Table t : g.plan.desired().tables().values()) {
            for (Chain c : t.chains().values()) {
                Chain got = after.table(t.name()).chain(c.name());
                if (OrderFreeChains.applies(t.name(), c.name()) && !got.rules().equals(c.rules())) {
                    assertTrue(OrderFreeChains.equivalent(got.rules(), c.rules()), c.name());
                } else if (!c.builtin()) {
                    org.junit.jupiter.api.Assertions.assertSame(c, got, c.name());
                }
            }
        }
        assertOwnedEqualsDesiredAndForeignUnchanged(actual, g.plan, after);
        assertTrue(RulesetDiff.diff(after, g.plan).isEmpty(), () -> "not a fixpoint:\n" + RulesetDiff.diff(after, g.plan).payload());
        new DiffRenderer(true).render(changes);   // must not throw on any change set
    }

    @Property(tries = 50)
    void diffOfDesiredAgainstItselfIsEmpty(@ForAll long seed) {
        Random random = new Random(seed);
        Generated g = generate(random, random.nextInt(40), random.nextInt(500));
        assertTrue(RulesetDiff.diff(g.plan.desired(), g.plan).isEmpty());
    }

    @Property(tries = 30)
    void payloadGrowsWithTheChangeNotWithTheCluster(@ForAll long seed, @ForAll @IntRange(min = 1000, max = 10000) int filler) {
        Random random = new Random(seed);
        Generated g = generate(random, 20, filler);
        Map<String, Map<String, List<String>>> m = copy(g.plan.desired());
        List<String> services = m.get("nat").get("KUBE-SERVICES");
        int victim = random.nextInt(services.size() - 1);   // never the last (nodeports) rule
        switch (random.nextInt(3)) {
            case 0 -> services.remove(victim);
            case 1 -> services.set(victim, services.get(victim).replace("-j KUBE-MARK-MASQ", "-j RETURN"));
            default -> services.add(victim, "-d 192.0.2.1/32 -m comment --comment \"stale/svc:p cluster IP\" -j KUBE-MARK-MASQ");
        }
        Ruleset actual = build(IpFamily.V4, m);
        ChangeSet changes = RulesetDiff.diff(actual, g.plan);
        assertTrue(changes.counts().payloadLines() <= 2, changes::payload);
        assertOwnedEqualsDesiredAndForeignUnchanged(actual, g.plan, RulesetDiff.apply(actual, changes));
    }

    static void assertOwnedEqualsDesiredAndForeignUnchanged(Ruleset actual, IptablesPlan plan, Ruleset after) {
        Ruleset desired = plan.desired();
        Set<String> tables = new LinkedHashSet<>(desired.tables().keySet());
        tables.addAll(actual.tables().keySet());
        for (String t : tables) {
            Map<String, Chain> want = chains(desired.table(t));
            Map<String, Chain> was = chains(actual.table(t));
            Map<String, Chain> got = chains(after.table(t));
            Set<String> names = new HashSet<>(want.keySet());
            names.addAll(was.keySet());
            names.addAll(got.keySet());
            for (String name : names) {
                if (Ownership.isBuiltin(name)) {
                    List<String> jumps = want.containsKey(name) ? want.get(name).rules() : List.of();
                    Set<String> jumpSet = new HashSet<>(jumps);
                    List<String> gotRules = got.containsKey(name) ? got.get(name).rules() : List.of();
                    List<String> wasRules = was.containsKey(name) ? was.get(name).rules() : List.of();
                    assertEquals(jumps, gotRules.stream().filter(r -> Ownership.isOurBuiltinRule(t, r, jumpSet)).toList(), t + "/" + name);
                    assertEquals(wasRules.stream().filter(r -> !Ownership.isOurBuiltinRule(t, r, jumpSet)).toList(),
                            gotRules.stream().filter(r -> !Ownership.isOurBuiltinRule(t, r, jumpSet)).toList(), "foreign rules of " + t + "/" + name);
                    if (was.containsKey(name)) {
                        assertEquals(was.get(name).policy(), got.get(name).policy(), "policy of " + name);
                    }
                } else if (want.containsKey(name) && OrderFreeChains.applies(t, name) && got.containsKey(name)
                        && !want.get(name).rules().equals(got.get(name).rules())) {
                    // The node's order stays where it gives every packet the same verdicts (orderFreeChains... below).
                    assertTrue(OrderFreeChains.equivalent(got.get(name).rules(), want.get(name).rules()),
                            () -> t + "/" + name + " not equivalent:\n" + got.get(name).rules() + "\n" + want.get(name).rules());
                } else if (want.containsKey(name)) {
                    assertEquals(want.get(name).rules(), got.containsKey(name) ? got.get(name).rules() : null, t + "/" + name);
                } else if (Ownership.isDeletable(t, name)) {
                    assertTrue(!got.containsKey(name), "stale chain left: " + t + "/" + name);
                } else {
                    assertEquals(was.get(name), got.get(name), "foreign chain " + t + "/" + name);
                }
            }
        }
    }

    private static Map<String, Chain> chains(Table table) {
        return table == null ? Map.of() : table.chains();
    }

    record Generated(IptablesPlan plan) {
    }

    /** A kube-proxy-shaped plan: services with SVC/SEP chains, KUBE-SERVICES with filler rules, jumps. */
    static Generated generate(Random random, int serviceCount, int filler) {
        Map<String, Map<String, List<String>>> tables = new LinkedHashMap<>();
        Map<String, List<String>> nat = new LinkedHashMap<>();
        Map<String, List<String>> filter = new LinkedHashMap<>();
        tables.put("filter", filter);
        tables.put("nat", nat);
        Map<String, ServicePortName> owners = new HashMap<>();
        filter.put("INPUT", new ArrayList<>(List.of("-m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-j KUBE-FIREWALL")));
        filter.put("KUBE-SERVICES", new ArrayList<>());
        filter.put("KUBE-FIREWALL", new ArrayList<>(List.of("-m comment --comment \"block incoming localnet connections\" -j DROP")));
        nat.put("PREROUTING", new ArrayList<>(List.of("-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")));
        nat.put("OUTPUT", new ArrayList<>(List.of("-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")));
        nat.put("POSTROUTING", new ArrayList<>(List.of("-m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING")));
        nat.put("KUBE-SERVICES", new ArrayList<>());
        nat.put("KUBE-NODEPORTS", new ArrayList<>());
        nat.put("KUBE-MARK-MASQ", new ArrayList<>(List.of("-j MARK --set-xmark 0x4000/0x4000")));
        nat.put("KUBE-POSTROUTING", new ArrayList<>(List.of("-j MARK --set-xmark 0x4000/0x0")));
        for (int s = 0; s < serviceCount; s++) {
            ServicePortName name = new ServicePortName("ns" + s, "svc" + s, "p80", Protocol.TCP);
            String svc = "KUBE-SVC-S" + s;
            owners.put(svc, name);
            nat.get("KUBE-SERVICES").add("-d 172.30." + s / 200 + "." + s % 200 + "/32 -p tcp -m comment --comment \"" + name + " cluster IP\" -m tcp --dport 80 -j " + svc);
            if (random.nextBoolean()) {
                filter.get("KUBE-SERVICES").add("-d 172.30." + s / 200 + "." + s % 200 + "/32 -p tcp -m comment --comment \"" + name + " has no endpoints\" -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable");
            }
            List<String> svcRules = new ArrayList<>();
            nat.put(svc, svcRules);
            int endpoints = 1 + random.nextInt(3);
            for (int e = 0; e < endpoints; e++) {
                String sep = "KUBE-SEP-S" + s + "E" + e;
                owners.put(sep, name);
                svcRules.add("-m comment --comment \"" + name + " -> 10.180." + s + "." + e + ":80\" -m statistic --mode random --probability 0.50000000000 -j " + sep);
                nat.put(sep, new ArrayList<>(List.of(
                        "-s 10.180." + s + "." + e + "/32 -m comment --comment " + RuleSpec.quote(name.toString()) + " -j KUBE-MARK-MASQ",
                        "-p tcp -m comment --comment " + RuleSpec.quote(name.toString()) + " -m tcp -j DNAT --to-destination 10.180." + s + "." + e + ":80")));
            }
        }
        for (int f = 0; f < filler; f++) {
            nat.get("KUBE-SERVICES").add("-d 100." + f / 65536 + "." + (f / 256) % 256 + "." + f % 256 + "/32 -p tcp -m comment --comment \"fill/f" + f + ":p cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ");
        }
        Collections.shuffle(nat.get("KUBE-SERVICES").subList(0, nat.get("KUBE-SERVICES").size()), random);
        nat.get("KUBE-SERVICES").add(NODEPORTS);
        return new Generated(new IptablesPlan(build(IpFamily.V4, tables), owners, List.of(), List.of()));
    }

    /** An "actual" state: the desired one damaged in random ways, plus foreign chains and rules. */
    static Ruleset mutate(Ruleset desired, Random random) {
        Map<String, Map<String, List<String>>> m = copy(desired);
        Map<String, List<String>> nat = m.get("nat");
        Map<String, List<String>> filter = m.get("filter");
        int ops = 1 + random.nextInt(12);
        for (int i = 0; i < ops; i++) {
            List<String> services = nat.get("KUBE-SERVICES");
            switch (random.nextInt(12)) {
                case 0 -> { if (!services.isEmpty()) services.remove(random.nextInt(services.size())); }
                case 1 -> { if (services.size() > 1) Collections.swap(services, random.nextInt(services.size()), random.nextInt(services.size())); }
                case 2 -> { if (!services.isEmpty()) services.add(random.nextInt(services.size() + 1), services.get(random.nextInt(services.size()))); }
                case 3 -> {   // a stale service: its chain and its rule
                    String stale = "KUBE-SVC-STALE" + i;
                    nat.put(stale, new ArrayList<>(List.of("-m comment --comment \"gone/svc" + i + ":p -> 10.9.9.9:80\" -j KUBE-MARK-MASQ")));
                    services.add(random.nextInt(services.size() + 1), "-d 192.0.2." + i + "/32 -m comment --comment \"gone/svc" + i + ":p cluster IP\" -j " + stale);
                    if (random.nextBoolean()) {
                        nat.get("OUTPUT").add(random.nextInt(nat.get("OUTPUT").size() + 1), "-j " + stale);
                    }
                }
                case 4 -> {   // a service chain missing, and so the rules that jump to it
                    List<String> owned = nat.keySet().stream().filter(c -> c.startsWith("KUBE-SEP-")).toList();
                    if (!owned.isEmpty()) {
                        String gone = owned.get(random.nextInt(owned.size()));
                        nat.remove(gone);
                        nat.values().forEach(rules -> rules.removeIf(r -> r.endsWith("-j " + gone)));
                    }
                }
                case 5 -> {   // a service chain with different content
                    List<String> owned = nat.keySet().stream().filter(c -> c.startsWith("KUBE-SEP-") || c.startsWith("KUBE-SVC-")).toList();
                    if (!owned.isEmpty()) {
                        List<String> rules = nat.get(owned.get(random.nextInt(owned.size())));
                        rules.add(random.nextInt(rules.size() + 1), "-m comment --comment \"x/y:z\" -j RETURN");
                    }
                }
                case 6 -> nat.get("PREROUTING").clear();
                case 7 -> filter.get("INPUT").add(filter.get("INPUT").get(0));
                case 8 -> { if (!services.isEmpty()) Collections.shuffle(services, random); }
                case 9 -> filter.get("KUBE-FIREWALL").clear();
                case 10 -> m.get("filter").remove("KUBE-SERVICES");
                default -> Collections.reverse(filter.get("INPUT"));
            }
        }
        if (!filter.containsKey("KUBE-SERVICES")) {
            filter.get("INPUT").removeIf(r -> r.endsWith("-j KUBE-SERVICES"));
        }
        // Foreign state that must survive untouched.
        nat.put("DOCKER", new ArrayList<>(List.of("-i docker0 -j RETURN", "-i docker0 -j RETURN")));
        nat.put("KUBE-MARK-DROP", new ArrayList<>(List.of("-j MARK --set-xmark 0x8000/0x8000")));
        nat.put("KUBE-KUBELET-CANARY", new ArrayList<>());
        for (String builtin : List.of("PREROUTING", "OUTPUT")) {
            List<String> rules = nat.get(builtin);
            rules.add(random.nextInt(rules.size() + 1), "-m addrtype --dst-type LOCAL -j DOCKER");
            rules.add(random.nextInt(rules.size() + 1), "-s 203.0.113.0/24 -j RETURN");
        }
        filter.put("DOCKER-USER", new ArrayList<>(List.of("-j RETURN")));
        filter.put("FORWARD", new ArrayList<>(List.of("-j DOCKER-USER")));
        return build(IpFamily.V4, m);
    }

    static Map<String, Map<String, List<String>>> copy(Ruleset rs) {
        Map<String, Map<String, List<String>>> m = new LinkedHashMap<>();
        rs.tables().forEach((t, table) -> {
            Map<String, List<String>> chains = new LinkedHashMap<>();
            table.chains().forEach((c, chain) -> chains.put(c, new ArrayList<>(chain.rules())));
            m.put(t, chains);
        });
        return m;
    }

    static Ruleset build(IpFamily family, Map<String, Map<String, List<String>>> m) {
        Map<String, Table> tables = new LinkedHashMap<>();
        m.forEach((t, chains) -> {
            Map<String, Chain> out = new LinkedHashMap<>();
            chains.forEach((c, rules) -> out.put(c, new Chain(c, Ownership.isBuiltin(c) ? "ACCEPT" : "-", rules)));
            tables.put(t, new Table(t, out));
        });
        return new Ruleset(family, tables);
    }
}
