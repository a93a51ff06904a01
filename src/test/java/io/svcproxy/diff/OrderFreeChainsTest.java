package io.svcproxy.diff;

import io.svcproxy.iptables.Ruleset;
import io.svcproxy.plan.IptablesPlan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.svcproxy.diff.RulesetDiffTest.NODEPORTS;
import static io.svcproxy.diff.RulesetDiffTest.plan;
import static io.svcproxy.diff.RulesetDiffTest.rs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderFreeChainsTest {
    static final String A = "-d 10.96.0.1/32 -p tcp -m comment --comment \"ns/a cluster IP\" -m tcp --dport 80 -j KUBE-SVC-A";
    static final String B = "-d 10.96.0.2/32 -p tcp -m comment --comment \"ns/b cluster IP\" -m tcp --dport 80 -j KUBE-SVC-B";
    static final String C = "-d 10.96.0.3/32 -p udp -m comment --comment \"ns/c cluster IP\" -m udp --dport 53 -j KUBE-SVC-C";
    static final String LOCALHOST = "-d 127.0.0.0/8 -p tcp -m comment --comment \"ns/n\" -m tcp --dport 30080 -m nfacct --nfacct-name  localhost_nps_accepted_pkts -j KUBE-EXT-N";
    static final String GENERAL = "-p tcp -m comment --comment \"ns/n\" -m tcp --dport 30080 -j KUBE-EXT-N";

    static String nat(List<String> services, List<String> nodeports) {
        StringBuilder s = new StringBuilder("*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n");
        for (String c : List.of("KUBE-SVC-A", "KUBE-SVC-B", "KUBE-SVC-C", "KUBE-EXT-N")) {
            s.append(':').append(c).append(" - [0:0]\n");
        }
        services.forEach(r -> s.append("-A KUBE-SERVICES ").append(r).append('\n'));
        nodeports.forEach(r -> s.append("-A KUBE-NODEPORTS ").append(r).append('\n'));
        return s.append("COMMIT\n").toString();
    }

    @Test
    void kubeProxysOrderIsKeptWhenOnlyTheOrderDiffers() {
        IptablesPlan plan = plan(nat(List.of(A, B, C, NODEPORTS), List.of(LOCALHOST, GENERAL)));
        Ruleset actual = rs(nat(List.of(C, B, A, NODEPORTS), List.of(LOCALHOST, GENERAL)));
        ChangeSet changes = RulesetDiff.diff(actual, plan);
        assertTrue(changes.isEmpty(), changes::payload);
        assertEquals(List.of(C, B, A, NODEPORTS), RulesetDiff.apply(actual, changes).table("nat").chain("KUBE-SERVICES").rules());
    }

    @Test
    void anOrderThatChangesAVerdictIsRepaired() {
        IptablesPlan plan = plan(nat(List.of(A, B, C, NODEPORTS), List.of(LOCALHOST, GENERAL)));
        // The nodeports jump must stay last; the localhost rule (counted) before the general one.
        for (Ruleset actual : List.of(rs(nat(List.of(A, NODEPORTS, B, C), List.of(LOCALHOST, GENERAL))),
                rs(nat(List.of(A, B, C, NODEPORTS), List.of(GENERAL, LOCALHOST))))) {
            ChangeSet changes = RulesetDiff.diff(actual, plan);
            assertFalse(changes.isEmpty());
            Ruleset after = RulesetDiff.apply(actual, changes);
            assertEquals(RulesetDiff.simulate(actual, changes), after);
            for (String chain : List.of("KUBE-SERVICES", "KUBE-NODEPORTS")) {
                assertEquals(plan.desired().table("nat").chain(chain).rules(), after.table("nat").chain(chain).rules());
            }
        }
    }

    @Test
    void aNewServiceIsInsertedWithoutMovingTheOthers() {
        IptablesPlan plan = plan(nat(List.of(A, B, C, NODEPORTS), List.of()));
        Ruleset actual = rs(nat(List.of(C, A, NODEPORTS), List.of()));
        ChangeSet changes = RulesetDiff.diff(actual, plan);
        // Just before the rule that follows it in the desired order (C), nothing else moved.
        assertEquals("*nat\n-I KUBE-SERVICES 1 " + B + "\nCOMMIT\n", changes.payload());
        Ruleset after = RulesetDiff.apply(actual, changes);
        assertEquals(RulesetDiff.simulate(actual, changes), after);
        assertEquals(List.of(B, C, A, NODEPORTS), after.table("nat").chain("KUBE-SERVICES").rules());
        assertTrue(RulesetDiff.diff(after, plan).isEmpty());
    }

    @Test
    void rulesThatCanMatchOnePacketKeepTheirOrderOthersCommute() {
        assertTrue(OrderFreeChains.equivalent(List.of(B, A, C), List.of(A, B, C)));
        assertFalse(OrderFreeChains.equivalent(List.of(GENERAL, LOCALHOST), List.of(LOCALHOST, GENERAL)));
        assertFalse(OrderFreeChains.equivalent(List.of(NODEPORTS, A), List.of(A, NODEPORTS)));
        // Health-check node port rules of two services on one port: same match, same target.
        String hc1 = "-p tcp -m comment --comment \"ns/x health check node port\" -m tcp --dport 30500 -j ACCEPT";
        String hc2 = "-p tcp -m comment --comment \"ns/y health check node port\" -m tcp --dport 30500 -j ACCEPT";
        assertTrue(OrderFreeChains.equivalent(List.of(hc2, hc1), List.of(hc1, hc2)));
        assertTrue(OrderFreeChains.applies("nat", "KUBE-SERVICES"));
        assertFalse(OrderFreeChains.applies("nat", "KUBE-POSTROUTING"));
        assertFalse(OrderFreeChains.applies("nat", "KUBE-SVC-A"));
    }

    @Test
    void rulesAreReadForWhatTheyCanMatch() {
        assertEquals("-d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-A", OrderFreeChains.verdict(A));
        assertEquals("-p tcp -m tcp --dport 1 -j ACCEPT",
                OrderFreeChains.verdict("-p tcp -m comment --comment \"a \\\"quoted\\\" one\" -m tcp --dport 1 -j ACCEPT"));
        assertEquals("-j KUBE-MARK-MASQ", OrderFreeChains.verdict("-m comment --comment x -j KUBE-MARK-MASQ"));
        assertTrue(OrderFreeChains.key(A) != null);
        assertEquals(null, OrderFreeChains.key(NODEPORTS));                      // no port: anything
        assertEquals(null, OrderFreeChains.key("-p tcp -m tcp ! --dport 80 -j RETURN"));
        assertEquals(null, OrderFreeChains.key("-p tcp -m multiport --dports 80,443 -j RETURN"));
        assertEquals(null, OrderFreeChains.key("-p udp -m tcp --dport 80 -j RETURN"));
        assertEquals(null, OrderFreeChains.key("-d 1.1.1.1/32 -d 2.2.2.2/32 -p tcp -m tcp --dport 80 -j RETURN"));
    }
}
