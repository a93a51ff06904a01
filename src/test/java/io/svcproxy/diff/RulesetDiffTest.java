package io.svcproxy.diff;

import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesetDiffTest {
    static final String NODEPORTS = "! -d 127.0.0.0/8 -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS";

    static final String DESIRED = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :KUBE-SERVICES - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SVC-AAA - [0:0]
            :KUBE-SEP-A1 - [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAA
            -A KUBE-SERVICES %s
            -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
            -A KUBE-SVC-AAA -m comment --comment "ns1/svc1:p80 -> 10.180.0.5:80" -j KUBE-SEP-A1
            -A KUBE-SEP-A1 -p tcp -m comment --comment \"ns1/svc1:p80\" -m tcp -j DNAT --to-destination 10.180.0.5:80
            COMMIT
            """.formatted(NODEPORTS);

    static final ServicePortName SVC1 = new ServicePortName("ns1", "svc1", "p80", Protocol.TCP);

    static IptablesPlan plan(String text) {
        return new IptablesPlan(SaveParser.parse(IpFamily.V4, text),
                Map.of("KUBE-SVC-AAA", SVC1, "KUBE-SEP-A1", SVC1), List.of(), List.of());
    }

    static Ruleset rs(String text) {
        return SaveParser.parse(IpFamily.V4, text);
    }

    @Test
    void againstEmptyCreatesEverythingAndSimulatesToDesired() {
        IptablesPlan plan = plan(DESIRED);
        ChangeSet changes = RulesetDiff.diff(Ruleset.empty(IpFamily.V4), plan);
        String payload = changes.payload();
        assertFalse(payload.contains(":PREROUTING"), "never declare built-in chains under --noflush");
        assertTrue(payload.startsWith("*nat\n:KUBE-SERVICES - [0:0]\n"), payload);
        assertTrue(payload.contains("-I PREROUTING 1 -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"));
        assertTrue(payload.endsWith("COMMIT\n"));
        assertEquals(5, changes.counts().chainsCreated());
        Ruleset after = RulesetDiff.apply(Ruleset.empty(IpFamily.V4), changes);
        assertEquals(plan.desired().table("nat").chain("KUBE-SERVICES"), after.table("nat").chain("KUBE-SERVICES"));
        assertTrue(RulesetDiff.diff(after, plan).isEmpty());
    }

    @Test
    void identicalIsEmpty() {
        IptablesPlan plan = plan(DESIRED);
        ChangeSet changes = RulesetDiff.diff(plan.desired(), plan);
        assertTrue(changes.isEmpty());
        assertEquals("", changes.payload());
        assertEquals("No changes.\n", new DiffRenderer(false).render(changes));
    }

    @Test
    void sharedChainGetsSingleRuleEditsAndStaleChainsAreDeletedLast() {
        String actualText = DESIRED
                .replace(":KUBE-SEP-A1 - [0:0]\n", ":KUBE-SEP-A1 - [0:0]\n:KUBE-SVC-OLD - [0:0]\n:DOCKER - [0:0]\n")
                .replace("-A KUBE-SERVICES -d 172.30.0.41", "-A KUBE-SERVICES -d 172.30.0.99/32 -m comment --comment \"old/gone:p1 cluster IP\" -j KUBE-SVC-OLD\n-A KUBE-SERVICES -d 172.30.0.41")
                .replace("COMMIT", "-A KUBE-SVC-OLD -m comment --comment \"old/gone:p1 -> 10.0.0.1:80\" -j KUBE-MARK-MASQ\n-A DOCKER -j RETURN\n-A OUTPUT -j DOCKER\nCOMMIT");
        Ruleset actual = rs(actualText);
        IptablesPlan plan = plan(DESIRED);
        ChangeSet changes = RulesetDiff.diff(actual, plan);
        assertEquals("""
                *nat
                :KUBE-SVC-OLD - [0:0]
                -D KUBE-SERVICES -d 172.30.0.99/32 -m comment --comment "old/gone:p1 cluster IP" -j KUBE-SVC-OLD
                -X KUBE-SVC-OLD
                COMMIT
                """, changes.payload());
        Ruleset after = RulesetDiff.apply(actual, changes);
        assertEquals(List.of("-j DOCKER"), after.table("nat").chain("OUTPUT").rules().subList(1, 2));
        assertTrue(RulesetDiff.diff(after, plan).isEmpty());
        assertEquals("""
                - old/gone:p1
                    ~ nat KUBE-SERVICES
                        - -A KUBE-SERVICES -d 172.30.0.99/32 -m comment --comment "old/gone:p1 cluster IP" -j KUBE-SVC-OLD
                    - nat KUBE-SVC-OLD
                        - -A KUBE-SVC-OLD -m comment --comment "old/gone:p1 -> 10.0.0.1:80" -j KUBE-MARK-MASQ
                0 to add, 2 to delete, 0 chains rewritten (0 chains created, 1 chains deleted)
                """, new DiffRenderer(false).render(changes));
    }

    @Test
    void perServiceChainsAreRewrittenWhole() {
        Ruleset actual = rs(DESIRED.replace("10.180.0.5:80\nCOMMIT", "10.180.0.6:80\nCOMMIT"));
        ChangeSet changes = RulesetDiff.diff(actual, plan(DESIRED));
        assertEquals("""
                *nat
                :KUBE-SEP-A1 - [0:0]
                -A KUBE-SEP-A1 -p tcp -m comment --comment \"ns1/svc1:p80\" -m tcp -j DNAT --to-destination 10.180.0.5:80
                COMMIT
                """, changes.payload());
        assertEquals(1, changes.counts().chainsRewritten());
        String rendered = new DiffRenderer(false).render(changes);
        assertTrue(rendered.startsWith("~ ns1/svc1:p80\n    ~ nat KUBE-SEP-A1 (rewritten)\n        - "), rendered);
        String coloured = new DiffRenderer(true).render(changes);
        assertTrue(coloured.contains("\u001b[31m"));
        assertFalse(rendered.contains("\u001b"));
    }

    @Test
    void missingJumpsAreInsertedAtTheTopInDesiredOrderAndForeignRulesStay() {
        Ruleset actual = rs(DESIRED.replace("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
                "-A PREROUTING -j DOCKER\n").replace(":KUBE-SERVICES", ":DOCKER - [0:0]\n:KUBE-SERVICES"));
        IptablesPlan plan = plan(DESIRED);
        ChangeSet changes = RulesetDiff.diff(actual, plan);
        assertEquals("*nat\n-I PREROUTING 1 -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\nCOMMIT\n", changes.payload());
        Ruleset after = RulesetDiff.apply(actual, changes);
        assertEquals(List.of("-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES", "-j DOCKER"),
                after.table("nat").chain("PREROUTING").rules());
    }

    @Test
    void aJumpNoLongerWantedIsDeletedAloneAndTheOthersStay() {
        // A jump to one of our chains the plan no longer has (here INPUT -> KUBE-FIREWALL) is deleted
        // alone; the other jumps (and foreign rules) stay where they are.
        String jumps = """
                *filter
                :INPUT ACCEPT [0:0]
                :KUBE-FIREWALL - [0:0]
                :KUBE-NODEPORTS - [0:0]
                :KUBE-EXTERNAL-SERVICES - [0:0]
                %s-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
                -A INPUT -j FOREIGN
                -A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
                COMMIT
                """;
        Ruleset actual = rs(jumps.formatted("-A INPUT -j KUBE-FIREWALL\n").replace(":KUBE-FIREWALL", ":FOREIGN - [0:0]\n:KUBE-FIREWALL"));
        IptablesPlan plan = plan(jumps.formatted("").replace("-A INPUT -j FOREIGN\n", ""));
        ChangeSet changes = RulesetDiff.diff(actual, plan);
        assertEquals("*filter\n-D INPUT -j KUBE-FIREWALL\nCOMMIT\n", changes.payload());
        Ruleset after = RulesetDiff.apply(actual, changes);
        assertEquals(RulesetDiff.simulate(actual, changes), after);
        assertEquals(List.of("-m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS", "-j FOREIGN",
                "-m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES"),
                after.table("filter").chain("INPUT").rules());
    }

    @Test
    void nodeportsRuleStaysLastWhenServicesAreAdded() {
        IptablesPlan plan = plan(DESIRED.replace("-A KUBE-SERVICES -d 172.30.0.41",
                "-A KUBE-SERVICES -d 172.30.0.50/32 -j KUBE-MARK-MASQ\n-A KUBE-SERVICES -d 172.30.0.41"));
        ChangeSet changes = RulesetDiff.diff(rs(DESIRED), plan);
        assertEquals("*nat\n-I KUBE-SERVICES 1 -d 172.30.0.50/32 -j KUBE-MARK-MASQ\nCOMMIT\n", changes.payload());
    }

    @Test
    void oneRuleChangedInTenThousandGivesAFewLines() {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rules.add("-d 10.0." + (i / 250) + "." + (i % 250) + "/32 -p tcp -m comment --comment \"ns/s" + i + ":p cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ");
        }
        String head = "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n";
        StringBuilder actual = new StringBuilder(head);
        StringBuilder desired = new StringBuilder(head);
        for (int i = 0; i < rules.size(); i++) {
            actual.append("-A KUBE-SERVICES ").append(rules.get(i)).append('\n');
            desired.append("-A KUBE-SERVICES ").append(i == 5000 ? rules.get(i).replace("--dport 80", "--dport 81") : rules.get(i)).append('\n');
        }
        actual.append("COMMIT\n");
        desired.append("COMMIT\n");
        IptablesPlan plan = plan(desired.toString());
        Ruleset actualRs = rs(actual.toString());
        ChangeSet changes = RulesetDiff.diff(actualRs, plan);
        assertEquals(2, changes.counts().payloadLines(), changes.payload());
        assertTrue(changes.payload().contains("-I KUBE-SERVICES 5001 "));
        assertEquals(plan.desired().table("nat").chain("KUBE-SERVICES"),
                RulesetDiff.apply(actualRs, changes).table("nat").chain("KUBE-SERVICES"));
    }

    @Test
    void duplicatesInActualAreRemovedCorrectly() {
        String a = "-d 1.1.1.1/32 -j KUBE-MARK-MASQ";
        String b = "-d 2.2.2.2/32 -j KUBE-MARK-MASQ";
        String head = "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n";
        Ruleset actual = rs(head + "-A KUBE-SERVICES " + a + "\n-A KUBE-SERVICES " + b + "\n-A KUBE-SERVICES " + a + "\nCOMMIT\n");
        IptablesPlan plan = plan(head + "-A KUBE-SERVICES " + a + "\n-A KUBE-SERVICES " + b + "\nCOMMIT\n");
        Ruleset after = RulesetDiff.apply(actual, RulesetDiff.diff(actual, plan));
        assertEquals(List.of(a, b), after.table("nat").chain("KUBE-SERVICES").rules());
    }

    @Test
    void completePayloadDeclaresBuiltinsForAFlushingRestore() {
        IptablesPlan plan = plan(DESIRED);
        String text = CompletePayload.toText(plan);
        assertTrue(text.startsWith("*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n"), text);
        Ruleset loaded = io.svcproxy.iptables.RestoreSimulator.apply(Ruleset.empty(IpFamily.V4), text, false);
        assertTrue(RulesetDiff.diff(loaded, plan).isEmpty());
    }
}
