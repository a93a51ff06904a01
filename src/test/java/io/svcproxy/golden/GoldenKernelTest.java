package io.svcproxy.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.LocalTrafficDetector;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.source.ClusterFileSource;
import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel acceptance of the planner: every golden ruleset loads into a fresh network namespace with
 * a plain iptables-restore (both backends, both families), reads back through iptables-save
 * identical to what we rendered, and a planned --noflush diff from there to another cluster
 * (with foreign chains and rules present) leaves exactly the desired state and the foreign rules.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save",
    "iptables-legacy-restore", "ip6tables-nft-save", "ip6tables-nft-restore", "ip6tables-legacy-save",
    "ip6tables-legacy-restore", "nfacct"})
class GoldenKernelTest {

    @TestFactory
    List<DynamicTest> everyGoldenRulesetLoadsAndReadsBackIdentical() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all()) {
            for (IptablesTool tool : IptablesTool.values()) {
                tests.add(DynamicTest.dynamicTest(c.name() + " " + tool, () -> loadAndCompare(c, tool)));
            }
        }
        return tests;
    }

    private static void loadAndCompare(GoldenCase c, IptablesTool tool) throws IOException {
        String payload = Files.readString(c.expected(tool.family));
        Ruleset rendered = SaveParser.parse(tool.family, payload);
        try (NetNs ns = NetNs.create()) {
            createCounters(ns);
            NetNs.Result r = ns.run(List.of(tool.restore), payload);
            assertEquals(0, r.exitCode(), c.name() + ": the kernel refused our rules: " + r.stderr());
            Ruleset readBack = SaveParser.parse(tool.family, ns.runChecked(tool.save));
            assertSameRules(rendered, readBack, c.name());
        }
    }

    @TestFactory
    List<DynamicTest> thePlanOfAFileFullOfBadObjectsLoads() {
        List<DynamicTest> tests = new ArrayList<>();
        for (IptablesTool tool : IptablesTool.values()) {
            tests.add(DynamicTest.dynamicTest(tool.toString(), () -> {
                IptablesPlan plan = plan(Path.of("test-fixtures/source/bad-objects.yaml"), tool.family);
                try (NetNs ns = NetNs.create()) {
                    createCounters(ns);
                    NetNs.Result r = ns.run(List.of(tool.restore), io.svcproxy.diff.CompletePayload.toText(plan));
                    assertEquals(0, r.exitCode(), r.stderr());
                    assertSameRules(plan.desired(), SaveParser.parse(tool.family, ns.runChecked(tool.save)), "bad");
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> aPlannedDiffTurnsOneClusterIntoAnotherAndKeepsForeignRules() {
        List<DynamicTest> tests = new ArrayList<>();
        for (IptablesTool tool : IptablesTool.values()) {
            tests.add(DynamicTest.dynamicTest(tool.toString(), () -> migrate(tool)));
        }
        return tests;
    }

    private static void migrate(IptablesTool tool) throws IOException {
        IpFamily family = tool.family;
        IptablesPlan from = plan(Path.of("test-fixtures/golden/dualstack/cluster.yaml"), family);
        IptablesPlan to = plan(Path.of("test-fixtures/demo/cluster.yaml"), family);
        String any = family == IpFamily.V4 ? "10.1.0.0/16" : "fd00:1::/64";
        String foreign = "*filter\n:DOCKER-USER - [0:0]\n-A DOCKER-USER -s " + any + " -j RETURN\n"
                + "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n"
                + "*nat\n:CNI-HOSTPORT-DNAT - [0:0]\n-A CNI-HOSTPORT-DNAT -p tcp -m tcp --dport 8080 -j RETURN\n"
                + "-A POSTROUTING -s " + any + " -j MASQUERADE\nCOMMIT\n";
        try (NetNs ns = NetNs.create()) {
            createCounters(ns);
            NetNs.Result first = ns.run(List.of(tool.restore), io.svcproxy.diff.CompletePayload.toText(from));
            assertEquals(0, first.exitCode(), first.stderr());
            NetNs.Result foreignLoad = ns.run(List.of(tool.restore, "--noflush"), foreign);
            assertEquals(0, foreignLoad.exitCode(), foreignLoad.stderr());
            Ruleset before = SaveParser.parse(family, ns.runChecked(tool.save));

            ChangeSet changes = RulesetDiff.diff(before, to);
            NetNs.Result applied = ns.run(List.of(tool.restore, "--noflush", "-w", "5"), changes.payload());
            assertEquals(0, applied.exitCode(), applied.stderr() + "\n" + changes.payload());
            Ruleset after = SaveParser.parse(family, ns.runChecked(tool.save));

            assertSameRules(to.desired(), after, "demo");
            assertForeignUnchanged(before, after);
            assertTrue(RulesetDiff.diff(after, to).isEmpty(), "a second diff is empty");
        }
    }

    private static IptablesPlan plan(Path cluster, IpFamily family) {
        ClusterSnapshot snapshot = new ClusterFileSource(cluster, "node-a").load();
        Cidr pods = Cidr.parse(family == IpFamily.V4 ? "10.244.0.0/16" : "fd00:10:244::/56");
        return IptablesPlanner.plan(snapshot,
                PlannerOptions.defaults(family, "node-a").withLocalDetector(LocalTrafficDetector.ofCidr(pods)));
    }

    private static void createCounters(NetNs ns) {
        for (String counter : List.of("localhost_nps_accepted_pkts", "ct_state_invalid_dropped_pkts")) {
            ns.runChecked("nfacct", "add", counter);
        }
    }

    /** Our chains read back identical; built-in chains start with our jumps in the planned order. */
    private static void assertSameRules(Ruleset expected, Ruleset actual, String what) {
        for (Table table : expected.tables().values()) {
            Table got = actual.table(table.name());
            for (Chain chain : table.chains().values()) {
                if (chain.builtin()) {
                    List<String> rules = got == null || got.chain(chain.name()) == null
                            ? List.of() : got.chain(chain.name()).rules();
                    assertTrue(rules.size() >= chain.rules().size()
                                    && rules.subList(0, chain.rules().size()).equals(chain.rules()),
                            what + ": " + table.name() + " " + chain.name() + " starts with our jumps: " + rules);
                    continue;
                }
                assertTrue(got != null && got.chain(chain.name()) != null,
                        what + ": missing " + table.name() + " " + chain.name());
                assertEquals(chain.rules(), got.chain(chain.name()).rules(),
                        what + ": " + table.name() + " " + chain.name());
            }
            if (got != null) {
                for (Chain chain : got.chains().values()) {
                    if (!chain.builtin() && Ownership.isOwnedChain(table.name(), chain.name())) {
                        assertTrue(table.chain(chain.name()) != null,
                                what + ": stale chain " + table.name() + " " + chain.name());
                    }
                }
            }
        }
    }

    private static void assertForeignUnchanged(Ruleset before, Ruleset after) {
        for (Table table : before.tables().values()) {
            for (Chain chain : table.chains().values()) {
                if (Ownership.isOwnedChain(table.name(), chain.name())) {
                    continue;
                }
                Chain now = after.table(table.name()).chain(chain.name());
                assertTrue(now != null, "foreign chain gone: " + chain.name());
                List<String> foreignBefore = chain.rules().stream().filter(r -> !r.contains("-j KUBE-")).toList();
                List<String> foreignAfter = now.rules().stream().filter(r -> !r.contains("-j KUBE-")).toList();
                assertEquals(foreignBefore, foreignAfter, "foreign rules of " + table.name() + " " + chain.name());
            }
        }
    }
}
