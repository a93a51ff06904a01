package io.svcproxy.iptables;

import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestoreSimulatorTest {
    private static final Ruleset BASE = SaveParser.parse(IpFamily.V4, """
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :FOO - [0:0]
            -A INPUT -j FOO
            -A FOO -j ACCEPT
            COMMIT
            """);

    @Test
    void noflushBuiltinDeclarationResetsPolicyButKeepsRules() {
        Ruleset out = RestoreSimulator.apply(BASE, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4/32 -j FOO\nCOMMIT\n", true);
        Chain input = out.table("filter").chain("INPUT");
        assertEquals("ACCEPT", input.policy());
        assertEquals(List.of("-j FOO", "-s 1.2.3.4/32 -j FOO"), input.rules());
    }

    @Test
    void userChainDeclarationFlushes() {
        Ruleset out = RestoreSimulator.apply(BASE, "*filter\n:FOO - [0:0]\n-A FOO -j DROP\nCOMMIT\n", true);
        assertEquals(List.of("-j DROP"), out.table("filter").chain("FOO").rules());
    }

    @Test
    void withoutNoflushTheTableIsReplaced() {
        Ruleset out = RestoreSimulator.apply(BASE, "*filter\n:BAR - [0:0]\nCOMMIT\n", false);
        assertEquals(List.of("INPUT", "FORWARD", "OUTPUT", "BAR"), List.copyOf(out.table("filter").chains().keySet()));
        assertTrue(out.table("filter").chain("INPUT").rules().isEmpty());
    }

    @Test
    void strictLikeTheKernelTools() {
        assertFails("*filter\n-X FOO\nCOMMIT\n", "not empty");
        assertFails("*filter\n:FOO - [0:0]\n-X FOO\nCOMMIT\n", "referenced");
        assertFails("*filter\n-A INPUT -j NOPE\n:NOPE - [0:0]\nCOMMIT\n", "Couldn't load target");
        assertFails("*filter\n-D INPUT -j ACCEPT\nCOMMIT\n", "bad rule");
        assertFails("*filter\n-I INPUT 3 -j ACCEPT\nCOMMIT\n", "too big");
        assertFails("*filter\n-A NOPE -j ACCEPT\nCOMMIT\n", "does not exist");
    }

    @Test
    void deleteRemovesFirstEqualRuleAndInsertHonoursPosition() {
        Ruleset out = RestoreSimulator.apply(BASE, """
                *filter
                -A FOO -j DROP
                -A FOO -j ACCEPT
                -D FOO -j ACCEPT
                -I FOO 2 -j RETURN
                -I FOO -j LOG
                COMMIT
                """, true);
        assertEquals(List.of("-j LOG", "-j DROP", "-j RETURN", "-j ACCEPT"), out.table("filter").chain("FOO").rules());
    }

    @Test
    void createsTablesWithTheirBuiltinChains() {
        Ruleset out = RestoreSimulator.apply(Ruleset.empty(IpFamily.V4), "*nat\n:KUBE-X - [0:0]\n-I OUTPUT 1 -j KUBE-X\nCOMMIT\n", true);
        assertEquals(List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", "KUBE-X"), List.copyOf(out.table("nat").chains().keySet()));
    }

    private static void assertFails(String payload, String fragment) {
        SaveParseException e = assertThrows(SaveParseException.class, () -> RestoreSimulator.apply(BASE, payload, true));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void untouchedChainsAreKeptAsTheyAreAndNewChainsSortIntoPlace() {
        Ruleset base = SaveParser.parse(IpFamily.V4, """
                *nat
                :PREROUTING ACCEPT [0:0]
                :A - [0:0]
                :C - [0:0]
                :E - [0:0]
                -A PREROUTING -j C
                -A A -j RETURN
                -A C -j E
                -A E -j RETURN
                COMMIT
                """);
        Ruleset out = RestoreSimulator.apply(base, "*nat\n:D - [0:0]\n:B - [0:0]\n-A D -j RETURN\n"
                + "-A C -j D\n-F A\n-X A\nCOMMIT\n", true);
        Table nat = out.table("nat");
        assertEquals(List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", "B", "C", "D", "E"),
                List.copyOf(nat.chains().keySet()));
        assertTrue(nat.chain("E") == base.table("nat").chain("E"), "an untouched chain is the same object");
        assertEquals(List.of("-j E", "-j D"), nat.chain("C").rules());
        assertEquals(List.of("-j RETURN", "-j E", "-j RETURN"), List.of(base.table("nat").chain("A").rules().get(0),
                base.table("nat").chain("C").rules().get(0), base.table("nat").chain("E").rules().get(0)),
                "the input is not changed");
        assertEquals(List.of("-j E"), base.table("nat").chain("C").rules());
    }

    @Test
    void aFailedBlockLeavesTheInputUntouched() {
        Ruleset before = SaveParser.parse(IpFamily.V4, SaveWriter.toText(BASE));
        assertThrows(SaveParseException.class,
                () -> RestoreSimulator.apply(BASE, "*filter\n-A FOO -j DROP\n-D FOO -j NOPE\nCOMMIT\n", true));
        assertEquals(before, BASE);
    }
}
