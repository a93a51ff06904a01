package io.svcproxy.apply.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftApplyException;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;
import io.svcproxy.testing.FakeNftKernel;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NftTableSyncerTest {
    private static final NftFamily IP = NftFamily.IP;
    private static final String T = "kube-proxy";

    private final FakeNftKernel kernel = new FakeNftKernel();
    private final NftTableSyncer syncer = new NftTableSyncer(IP, T, kernel);

    @Test
    void theFirstSyncReadsAndCreatesTheTablePartialSyncsReadNothing() {
        syncer.sync(plan(1, "a"), false);
        assertEquals(1, kernel.reads());
        assertEquals(plan(1, "a"), kernel.table(IP, T).orElseThrow());

        NftTableSyncer.Result second = syncer.sync(plan(2, "a"), false);
        assertEquals(1, kernel.reads(), "a partial sync diffs against memory");
        assertFalse(second.full());
        assertEquals(List.of(new NftOp.AddElements(IP, T, "cluster-ips", List.of(NftElement.key(ip(2))))),
                kernel.batches().get(1));
        assertEquals(plan(2, "a"), kernel.table(IP, T).orElseThrow());
    }

    @Test
    void nothingChangedSendsNoBatch() {
        syncer.sync(plan(1, "a"), false);
        NftTableSyncer.Result again = syncer.sync(plan(1, "a"), false);
        assertFalse(again.changed());
        assertEquals(1, kernel.batches().size());
    }

    @Test
    void aFullSyncFindsAndRepairsDrift() {
        syncer.sync(plan(1, "a"), false);
        NftTable tampered = kernel.table(IP, T).orElseThrow();
        Map<String, NftChain> chains = new LinkedHashMap<>(tampered.chains());
        chains.put("service-a", chains.get("service-a").withRules(List.of()));
        kernel.put(new NftTable(IP, T, tampered.comment(), chains, tampered.sets()));

        NftTableSyncer.Result partial = syncer.sync(plan(1, "a"), false);
        assertFalse(partial.changed(), "a partial sync trusts memory and does not see drift");
        NftTableSyncer.Result full = syncer.sync(plan(1, "a"), true);
        assertTrue(full.full());
        assertEquals(1, full.driftRepaired());
        assertEquals(plan(1, "a"), kernel.table(IP, T).orElseThrow());
    }

    @Test
    void aFullSyncOfAQuietNodeReadsNothingWhileTheGenerationIsTheOneOurBatchLeft() {
        syncer.sync(plan(1, "a"), false);
        syncer.sync(plan(2, "a"), false);
        NftTableSyncer.Result full = syncer.sync(plan(2, "a"), true);
        assertEquals(1, kernel.reads(), "nobody committed since our last batch: memory is the kernel's state");
        assertFalse(full.full());
        assertFalse(full.changed());

        kernel.foreignCommit();   // another program's batch, even one that left our table alone
        NftTableSyncer.Result after = syncer.sync(plan(2, "a"), true);
        assertEquals(2, kernel.reads(), "a commit we did not make: read");
        assertTrue(after.full());
        NftTableSyncer.Result again = syncer.sync(plan(2, "a"), true);
        assertEquals(2, kernel.reads(), "the read verified the table at the current generation");
        assertFalse(again.full());
    }

    @Test
    void driftBehindOurBackIsFoundByTheNextFullSyncWhateverPartialSyncsCameBetween() {
        syncer.sync(plan(1, "a"), false);
        NftTable tampered = kernel.table(IP, T).orElseThrow();
        Map<String, NftChain> chains = new LinkedHashMap<>(tampered.chains());
        chains.put("service-a", chains.get("service-a").withRules(List.of()));
        kernel.put(new NftTable(IP, T, tampered.comment(), chains, tampered.sets()));
        syncer.sync(plan(2, "a"), false);   // our batch after the foreign change does not vouch for it

        NftTableSyncer.Result full = syncer.sync(plan(2, "a"), true);
        assertTrue(full.full());
        assertEquals(1, full.driftRepaired());
        assertEquals(plan(2, "a"), kernel.table(IP, T).orElseThrow());
    }

    @Test
    void oneFamilysBatchDoesNotMakeTheOtherFamilyReadAgain() {
        NftGenerations shared = new NftGenerations();
        NftTableSyncer v4 = new NftTableSyncer(IP, T, kernel, shared);
        NftTableSyncer v6 = new NftTableSyncer(NftFamily.IP6, T, kernel, shared);
        v4.sync(plan(1, "a"), false);
        v6.sync(plan6(1), false);
        v6.sync(plan6(2), false);
        assertEquals(2, kernel.reads());
        assertFalse(v4.sync(plan(1, "a"), true).full(), "only our own batches since v4's: no read");
        assertFalse(v6.sync(plan6(2), true).full());
        kernel.foreignCommit();
        assertTrue(v4.sync(plan(1, "a"), true).full());
        assertTrue(v6.sync(plan6(2), true).full());
        assertEquals(4, kernel.reads());
    }

    @Test
    void aDeletedTableIsRecreatedByTheNextFullSync() {
        syncer.sync(plan(1, "a"), false);
        kernel.remove(IP, T);
        syncer.sync(plan(1, "a"), true);
        assertEquals(plan(1, "a"), kernel.table(IP, T).orElseThrow());
    }

    @Test
    void aRefusedBatchMakesTheNextSyncReadTheKernel() {
        syncer.sync(plan(1, "a"), false);
        kernel.refuseNext(1);
        assertThrows(NftApplyException.class, () -> syncer.sync(plan(2, "a"), false));
        assertEquals(plan(1, "a"), kernel.table(IP, T).orElseThrow(), "nothing of a refused batch lands");
        syncer.sync(plan(2, "a"), false);
        assertEquals(2, kernel.reads());
        assertEquals(plan(2, "a"), kernel.table(IP, T).orElseThrow());
    }

    @Test
    void aRemovedServiceChainIsFlushedThenDeletedByTheNextPartialSync() {
        syncer.sync(plan(1, "a", "b"), false);
        syncer.sync(plan(1, "a"), false);
        assertTrue(kernel.table(IP, T).orElseThrow().chains().get("service-b").rules().isEmpty());
        assertTrue(syncer.hasLingeringChains(), "the loop is asked for a follow-up sync");
        syncer.sync(plan(1, "a"), false, io.svcproxy.nftables.NftScope.NOTHING);   // nothing changed since
        assertFalse(syncer.hasLingeringChains());
        assertEquals(plan(1, "a"), kernel.table(IP, T).orElseThrow());
        assertEquals(List.of(new NftOp.DeleteChain(IP, T, "service-b")), kernel.batches().get(2));
    }

    /** cluster-ips holding 10.96.0.1..n, a services vmap going to one chain per service. */
    private static NftTable plan(int clusterIps, String... services) {
        Map<String, NftChain> chains = new LinkedHashMap<>();
        List<NftElement> vmap = new java.util.ArrayList<>();
        int port = 80;
        for (String s : services) {
            chains.put("service-" + s, NftChain.regular("service-" + s, List.of(NftRule.of(List.of(
                    new NftExpr.Cmp(1, NftExpr.Cmp.EQ, ip(200)), NftExpr.Immediate.verdict(NftVerdict.ACCEPT))))));
            vmap.add(NftElement.verdict(Bytes.concat(ip(1), Bytes.be16(port++)), NftVerdict.goTo("service-" + s),
                    "ns/" + s));
        }
        chains.put("services", NftChain.regular("services", List.of(NftRule.of(List.of(
                new NftExpr.Lookup(new NftExpr.Named("service-ips"), 1, 0, 0))))));
        List<NftElement> ips = new java.util.ArrayList<>();
        for (int i = 1; i <= clusterIps; i++) {
            ips.add(NftElement.key(ip(i)));
        }
        Map<String, NftSet> sets = new LinkedHashMap<>();
        sets.put("cluster-ips", new NftSet("cluster-ips", NftKeyType.of(NftType.IPV4_ADDR), null, 0, 0, 0, null, ips));
        sets.put("service-ips", new NftSet("service-ips", NftKeyType.of(NftType.IPV4_ADDR, NftType.INET_SERVICE),
                NftKeyType.of(NftType.VERDICT), NftSet.F_MAP, 0, 0, null, vmap));
        return new NftTable(IP, T, "rules for kube-proxy", chains, sets);
    }

    /** An ip6 table with {@code n} empty chains. */
    private static NftTable plan6(int n) {
        Map<String, NftChain> chains = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            chains.put("c" + i, NftChain.regular("c" + i, List.of()));
        }
        return new NftTable(NftFamily.IP6, T, "rules for kube-proxy", chains, Map.of());
    }

    private static Bytes ip(int n) {
        return Bytes.be32(0x0a600000 + n);
    }
}
