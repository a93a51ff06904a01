package io.svcproxy.diff;

import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.iptables.SaveWriter;
import io.svcproxy.iptables.Table;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel acceptance for the diff: load a damaged "actual" state with foreign rules into a fresh
 * namespace, apply the --noflush payload with the real iptables-restore, read it back and check our
 * chains equal the plan, foreign ones are unchanged, and the simulator predicted the same result.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save", "iptables-legacy-restore"})
class RulesetDiffKernelTest {

    @ParameterizedTest
    @EnumSource(value = IptablesTool.class, names = {"NFT_V4", "LEGACY_V4"})
    void payloadAppliedByIptablesRestoreReachesThePlan(IptablesTool tool) {
        int changed = 0;
        for (long s = 1; s <= 6; s++) {
            final long seed = s;
            Random random = new Random(seed);
            IptablesPlan plan = RulesetDiffProperties.generate(random, 25, seed % 2 == 0 ? 400 : 10).plan();
            Ruleset damaged = RulesetDiffProperties.mutate(plan.desired(), random);
            try (NetNs ns = NetNs.create()) {
                ns.runChecked(List.of(tool.restore, "-w"), SaveWriter.toText(damaged));
                Ruleset actual = SaveParser.parse(tool.family, ns.runChecked(tool.save));

                ChangeSet changes = RulesetDiff.diff(actual, plan);
                changed += changes.isEmpty() ? 0 : 1;
                ns.runChecked(List.of(tool.restore, "--noflush", "-w"), changes.payload());
                Ruleset after = SaveParser.parse(tool.family, ns.runChecked(tool.save));

                RulesetDiffProperties.assertOwnedEqualsDesiredAndForeignUnchanged(actual, plan, after);
                assertTrue(RulesetDiff.diff(after, plan).isEmpty(), () -> "seed " + seed + " not converged:\n" + RulesetDiff.diff(after, plan).payload());
                Ruleset simulated = RulesetDiff.apply(actual, changes);
                for (Table table : after.tables().values()) {
                    assertEquals(new HashMap<>(table.chains()), new HashMap<>(simulated.table(table.name()).chains()),
                            "simulator disagrees with " + tool + " on table " + table.name() + ", seed " + seed);
                }
            }
        }
        assertTrue(changed >= 4, "most seeds should need changes, got " + changed);
    }

    @ParameterizedTest
    @EnumSource(value = IptablesTool.class, names = {"NFT_V4", "LEGACY_V4"})
    void againstAFreshNamespaceBothPayloadsWork(IptablesTool tool) {
        IptablesPlan plan = RulesetDiffProperties.generate(new Random(42), 10, 5).plan();
        try (NetNs ns = NetNs.create()) {
            ChangeSet changes = RulesetDiff.diff(SaveParser.parse(tool.family, ns.runChecked(tool.save)), plan);
            ns.runChecked(List.of(tool.restore, "--noflush", "-w"), changes.payload());
            assertTrue(RulesetDiff.diff(SaveParser.parse(tool.family, ns.runChecked(tool.save)), plan).isEmpty());
        }
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of(tool.restore, "-w"), CompletePayload.toText(plan));
            assertTrue(RulesetDiff.diff(SaveParser.parse(tool.family, ns.runChecked(tool.save)), plan).isEmpty());
        }
    }
}
