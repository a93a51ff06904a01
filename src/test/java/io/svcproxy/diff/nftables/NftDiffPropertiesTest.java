package io.svcproxy.diff.nftables;

import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftSimulator;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftTableKey;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The diff's laws over random pairs of tables, each batch applied by {@link NftSimulator} (the
 * kernel's refusal rules): the batch is accepted, diff(x, x) is empty, applying diff(a, b) to a
 * gives b once the stale chains it flushed are deleted by the next diff, and the next diff after
 * that is empty.
 */
class NftDiffPropertiesTest {
    private static final int PAIRS = 400;

    @Test
    void diffOfATableWithItselfIsEmpty() {
        for (long seed = 0; seed < PAIRS; seed++) {
            NftTable t = new RandomNftTables(seed).table();
            assertEquals(List.of(), NftDiff.diff(t, t).ops(), "seed " + seed);
        }
    }

    @Test
    void fromNothingOneBatchBuildsTheWholeTable() {
        for (long seed = 0; seed < PAIRS; seed++) {
            NftTable want = new RandomNftTables(seed).table();
            NftTable got = apply(null, NftDiff.diff(null, want).ops());
            assertEquals(want, got, "seed " + seed);
        }
    }

    @Test
    void applyingTheDiffGivesTheDesiredTableAndTheNextDiffOnlyRetiresStaleChains() {
        for (long seed = 0; seed < PAIRS; seed++) {
            NftTable a = new RandomNftTables(seed).table();
            NftTable b = new RandomNftTables(seed + 100_000).table();
            NftChanges first = NftDiff.diff(a, b);
            NftTable afterFirst = apply(a, first.ops());
            assertEquals(afterFirst, first.after(), "seed " + seed + ": the diff knows the state it leaves");
            List<NftOp> second = NftDiff.diff(afterFirst, b).ops();
            assertTrue(second.stream().allMatch(op -> op instanceof NftOp.DeleteChain),
                    "seed " + seed + ": the second batch only deletes chains the first flushed: " + second);
            NftTable afterSecond = apply(afterFirst, second);
            assertEquals(b, afterSecond, "seed " + seed);
            assertEquals(List.of(), NftDiff.diff(afterSecond, b).ops(), "seed " + seed);
        }
    }

    @Test
    void aChainOfTheFirstTableKeptInTheSecondIsOnlyTouchedWhenItsRulesOrASetItUsesChange() {
        for (long seed = 0; seed < PAIRS; seed++) {
            NftTable a = new RandomNftTables(seed).table();
            NftTable b = new RandomNftTables(seed + 200_000).table();
            for (NftOp op : NftDiff.diff(a, b).ops()) {
                if (op instanceof NftOp.FlushChain f && b.chains().containsKey(f.chain())) {
                    var before = a.chains().get(f.chain());
                    var after = b.chains().get(f.chain());
                    boolean setRedeclared = io.svcproxy.nftables.NftReferences.referencedSets(before).stream()
                            .anyMatch(s -> !b.sets().containsKey(s) || !b.sets().get(s).sameDeclaration(a.sets().get(s)));
                    assertTrue(!before.rules().equals(after.rules()) || setRedeclared
                            || !java.util.Objects.equals(before.base(), after.base()),
                            "seed " + seed + ": " + f.chain() + " flushed without a reason");
                }
            }
        }
    }

    private static NftTable apply(NftTable actual, List<NftOp> ops) {
        Map<NftTableKey, NftTable> tables = new LinkedHashMap<>();
        if (actual != null) {
            tables.put(NftTableKey.of(actual), actual);
        }
        Map<NftTableKey, NftTable> out = NftSimulator.apply(tables, ops);
        assertEquals(1, out.size());
        return out.values().iterator().next();
    }
}
