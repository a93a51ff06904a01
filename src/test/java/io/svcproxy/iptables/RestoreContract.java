package io.svcproxy.iptables;

import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * One set of iptables-restore scenarios with their exact expected outcome, run against
 * {@link RestoreSimulator} (RestoreSimulatorContractTest, a unit test) and against the real
 * iptables-nft-restore and iptables-legacy-restore in a throw-away network namespace
 * (Restore*KernelContractTest): what FakeIptables and the diff tests take for the kernel's behaviour
 * is held to what the kernel does. Each scenario loads a base ruleset (a plain restore onto an empty
 * node), then a payload (with or without --noflush), and reads the table back; a refused payload must
 * be refused by every engine and leave the table as it was.
 */
abstract class RestoreContract {
    /** What a run left: the table read back, and the refusal (null when the payload was accepted). */
    record Outcome(Ruleset after, String refusal) {
    }

    /** Loads {@code base} onto an empty node, then {@code payload} (--noflush when asked); reads back. */
    abstract Outcome run(String base, String payload, boolean noflush);

    static final String BASE = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :FOO - [0:0]
            -A INPUT -j FOO
            -A FOO -j ACCEPT
            COMMIT
            """;

    static Table table(String saveText, String name) {
        return SaveParser.parse(IpFamily.V4, saveText).table(name);
    }

    private Table accepted(String base, String payload, boolean noflush, String table) {
        Outcome o = run(base, payload, noflush);
        assertNull(o.refusal(), "refused:\n" + payload);
        return o.after().table(table);
    }

    private void refused(String payload) {
        Outcome o = run(BASE, payload, true);
        assertNotNull(o.refusal(), "accepted, but must be refused:\n" + payload);
        assertEquals(table(BASE, "filter"), o.after().table("filter"), "a refused payload changes nothing:\n" + payload);
    }

    @Test
    void declaringABuiltinChainSetsItsPolicyAndKeepsItsRules() {
        assertEquals(table("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :FOO - [0:0]
                -A INPUT -j FOO
                -A INPUT -s 1.2.3.4/32 -j FOO
                -A FOO -j ACCEPT
                COMMIT
                """, "filter"), accepted(BASE, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4/32 -j FOO\nCOMMIT\n", true, "filter"));
    }

    @Test
    void declaringAUserChainFlushesIt() {
        assertEquals(table(BASE.replace("-A FOO -j ACCEPT", "-A FOO -j DROP"), "filter"),
                accepted(BASE, "*filter\n:FOO - [0:0]\n-A FOO -j DROP\nCOMMIT\n", true, "filter"));
    }

    @Test
    void aChainIsDeletedOnceUnreferencedAndFlushed() {
        assertEquals(table("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", "filter"),
                accepted(BASE, "*filter\n-D INPUT -j FOO\n-F FOO\n-X FOO\nCOMMIT\n", true, "filter"));
    }

    @Test
    void deleteTakesTheFirstEqualRuleAndInsertHonoursItsPosition() {
        assertEquals(List.of("-j LOG", "-j DROP", "-j RETURN", "-j ACCEPT"), accepted(BASE, """
                *filter
                -A FOO -j DROP
                -A FOO -j ACCEPT
                -D FOO -j ACCEPT
                -I FOO 2 -j RETURN
                -I FOO -j LOG
                COMMIT
                """, true, "filter").chain("FOO").rules());
    }

    @Test
    void untouchedChainsStayAndNewOnesAreAdded() {
        String base = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                :A - [0:0]
                :C - [0:0]
                :E - [0:0]
                -A PREROUTING -j C
                -A A -j RETURN
                -A C -j E
                -A E -j RETURN
                COMMIT
                """;
        assertEquals(table("""
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                :B - [0:0]
                :C - [0:0]
                :D - [0:0]
                :E - [0:0]
                -A PREROUTING -j C
                -A C -j E
                -A C -j D
                -A D -j RETURN
                -A E -j RETURN
                COMMIT
                """, "nat"), accepted(base, "*nat\n:D - [0:0]\n:B - [0:0]\n-A D -j RETURN\n-A C -j D\n-F A\n-X A\nCOMMIT\n",
                true, "nat"));
    }

    /**
     * Without --noflush, what becomes of the policy of a built-in chain the payload does not declare:
     * iptables-legacy-restore keeps it; iptables-nft-restore deletes and re-creates the table, so it
     * is ACCEPT again (seen in RestoreNftKernelContractTest). The simulator does what legacy does;
     * svcproxy itself only ever writes with --noflush (CommandIptablesRestorer), where both agree.
     */
    boolean withoutNoflushUndeclaredBuiltinPolicyIsReset() {
        return false;
    }

    @Test
    void withoutNoflushTheTableIsReplaced() {
        // The payload does not declare INPUT: its rules go with the table; its DROP policy: see above.
        String policy = withoutNoflushUndeclaredBuiltinPolicyIsReset() ? "ACCEPT" : "DROP";
        assertEquals(table("*filter\n:INPUT " + policy + " [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:BAR - [0:0]\nCOMMIT\n",
                "filter"), accepted(BASE, "*filter\n:BAR - [0:0]\nCOMMIT\n", false, "filter"));
        // Declared, the policy is the payload's with every backend.
        assertEquals(table("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:BAR - [0:0]\nCOMMIT\n",
                "filter"), accepted(BASE, "*filter\n:INPUT DROP [0:0]\n:BAR - [0:0]\nCOMMIT\n", false, "filter"));
    }

    @Test
    void deletingANonEmptyChainIsRefused() {
        refused("*filter\n-D INPUT -j FOO\n-X FOO\nCOMMIT\n");
    }

    @Test
    void deletingAReferencedChainIsRefused() {
        refused("*filter\n:FOO - [0:0]\n-X FOO\nCOMMIT\n");
    }

    @Test
    void aJumpToAChainDeclaredOnlyLaterIsRefused() {
        refused("*filter\n-A INPUT -j NOPE\n:NOPE - [0:0]\nCOMMIT\n");
    }

    @Test
    void deletingARuleThatIsNotThereIsRefused() {
        refused("*filter\n-D INPUT -j ACCEPT\nCOMMIT\n");
    }

    @Test
    void insertingPastTheEndIsRefused() {
        refused("*filter\n-I INPUT 3 -j ACCEPT\nCOMMIT\n");
    }

    @Test
    void appendingToAMissingChainIsRefused() {
        refused("*filter\n-A NOPE -j ACCEPT\nCOMMIT\n");
    }

    @Test
    void aRefusedLineUndoesTheLinesBeforeItInItsTable() {
        refused("*filter\n-A FOO -j DROP\n:NEW - [0:0]\n-D FOO -j NOPE\nCOMMIT\n");
    }
}
