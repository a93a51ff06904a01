package io.svcproxy.iptables;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Pins the iptables-restore --noflush facts the diff and the simulator rely on, per backend. */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save", "iptables-legacy-restore",
        "ip6tables-nft-save", "ip6tables-nft-restore", "ip6tables-legacy-save", "ip6tables-legacy-restore"})
class RestoreSemanticsKernelTest {
    static final String BASE = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:FOO - [0:0]\n-A INPUT -j FOO\n-A FOO -j ACCEPT\nCOMMIT\n";

    @ParameterizedTest
    @EnumSource(IptablesTool.class)
    void simulatorMatchesTheKernel(IptablesTool tool) {
        List<String> payloads = List.of(
                "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j RETURN\nCOMMIT\n",   // built-in: policy reset, rules kept
                "*filter\n:FOO - [0:0]\n-A FOO -j DROP\nCOMMIT\n",              // user chain: flushed
                "*filter\n-D INPUT -j FOO\n:FOO - [0:0]\n-X FOO\nCOMMIT\n");    // delete after unreferencing and flushing
        for (String payload : payloads) {
            try (NetNs ns = NetNs.create()) {
                ns.runChecked(List.of(tool.restore, "-w"), BASE);
                Ruleset before = SaveParser.parse(tool.family, ns.runChecked(tool.save));
                ns.runChecked(List.of(tool.restore, "--noflush", "-w"), payload);
                Ruleset after = SaveParser.parse(tool.family, ns.runChecked(tool.save));
                assertEquals(after.table("filter"), RestoreSimulator.apply(before, payload, true).table("filter"), tool + ": " + payload);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IptablesTool.class)
    void deletingANonEmptyOrReferencedChainFailsLikeTheSimulator(IptablesTool tool) {
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of(tool.restore, "-w"), BASE);
            assertNotEquals(0, ns.run(List.of(tool.restore, "--noflush", "-w"), "*filter\n:FOO - [0:0]\n-X FOO\nCOMMIT\n").exitCode());
            assertNotEquals(0, ns.run(List.of(tool.restore, "--noflush", "-w"), "*filter\n-A INPUT -j BAR\n:BAR - [0:0]\nCOMMIT\n").exitCode());
            // A failed payload changes nothing (atomic per table).
            assertEquals(SaveParser.parse(tool.family, BASE).table("filter"),
                    SaveParser.parse(tool.family, ns.runChecked(tool.save)).table("filter"));
        }
    }
}
