package io.svcproxy.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.IpFamily;
import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Kernel acceptance of IPVS mode's plan: each golden ipset payload loads with "ipset restore" into a
 * fresh network namespace and "ipset save" reads back the same sets and members; then the glue rules
 * load with a plain iptables-restore (both backends) and read back identical. Rules with the ipvs
 * match are left out: xt_ipvs needs ip_vs, absent on this kernel.
 */
@KernelTest(tools = {"ipset", "iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save",
    "iptables-legacy-restore", "ip6tables-nft-save", "ip6tables-nft-restore", "ip6tables-legacy-save",
    "ip6tables-legacy-restore"})
class IpvsGoldenKernelTest {

    @TestFactory
    List<DynamicTest> ipsetsAndGlueLoadAndReadBack() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (IpvsGoldenCase c : IpvsGoldenCase.all()) {
            for (IptablesTool tool : IptablesTool.values()) {
                tests.add(DynamicTest.dynamicTest(c.name() + " " + tool, () -> load(c, tool)));
            }
        }
        return tests;
    }

    private static void load(IpvsGoldenCase c, IptablesTool tool) throws IOException {
        String ipsets = Files.readString(c.expected(tool.family, IpvsGoldenCase.Kind.IPSET));
        String rules = withoutIpvsMatch(Files.readString(c.expected(tool.family, IpvsGoldenCase.Kind.RULES)));
        try (NetNs ns = NetNs.create()) {
            NetNs.Result r = ns.run(List.of("ipset", "restore"), ipsets);
            assertEquals(0, r.exitCode(), c.name() + ": ipset refused our payload: " + r.stderr());
            // -exist everywhere: loading it twice is harmless
            NetNs.Result again = ns.run(List.of("ipset", "restore"), ipsets);
            assertEquals(0, again.exitCode(), c.name() + ": second load: " + again.stderr());
            assertEquals(members(ipsets), members(ns.runChecked("ipset", "save")), c.name() + ": ipset members");

            NetNs.Result ipt = ns.run(List.of(tool.restore), rules);
            assertEquals(0, ipt.exitCode(), c.name() + ": the kernel refused our glue rules: " + ipt.stderr());
            Ruleset rendered = SaveParser.parse(tool.family, rules);
            Ruleset readBack = SaveParser.parse(tool.family, ns.runChecked(tool.save));
            for (Table table : rendered.tables().values()) {
                for (Chain chain : table.chains().values()) {
                    Chain got = readBack.table(table.name()).chain(chain.name());
                    List<String> gotRules = got == null ? List.of() : got.rules();
                    if (chain.builtin()) {
                        gotRules = gotRules.subList(0, Math.min(gotRules.size(), chain.rules().size()));
                    }
                    assertEquals(chain.rules(), gotRules, c.name() + ": " + table.name() + " " + chain.name());
                }
            }
        }
    }

    /** "add SET MEMBER" lines, normalised ("-exist" dropped), as a sorted set. */
    private static TreeSet<String> members(String payload) {
        TreeSet<String> out = new TreeSet<>();
        for (String line : payload.split("\n")) {
            if (line.startsWith("add ")) {
                out.add(line.replace(" -exist", ""));
            }
        }
        return out;
    }

    private static String withoutIpvsMatch(String rules) {
        StringBuilder sb = new StringBuilder();
        for (String line : rules.split("\n")) {
            if (!line.contains(" -m ipvs ")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    @SuppressWarnings("unused")
    private static IpFamily family(IptablesTool tool) {
        return tool.family;
    }
}
