package io.svcproxy.nftables;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the diff and the syncer rely on from an nf_tables kernel, as scenarios any {@link NftKernel}
 * must pass: the fake (FakeNftKernelContractTest) and the real kernel through netlink in a network
 * namespace run the same ones, so the fake's refusal rules are the kernel's, checked.
 */
public abstract class NftKernelContract {
    protected static final NftFamily IP = NftFamily.IP;
    protected static final String T = "svcp-contract";
    private static final NftKeyType ADDR = NftKeyType.of(NftType.IPV4_ADDR);
    private static final NftKeyType VERDICT = NftKeyType.of(NftType.VERDICT);

    /** A kernel with no table named {@link #T} yet. */
    protected abstract NftKernel kernel();

    @Test
    void aMissingTableReadsAsEmpty() {
        assertTrue(kernel().read(IP, T).isEmpty());
    }

    @Test
    void whatOneBatchCreatesReadsBackAsTheSameValue() {
        NftTable t = table(NftVerdict.goTo("service-a"));
        kernel().apply(create(t));
        assertEquals(t, kernel().read(IP, T).orElseThrow());
    }

    @Test
    void aRefusedBatchNamesTheOpAndChangesNothing() {
        NftTable t = table(NftVerdict.goTo("service-a"));
        kernel().apply(create(t));
        NftOp bad = new NftOp.AddRule(IP, T, "service-a",
                NftRule.of(List.of(NftExpr.Immediate.verdict(NftVerdict.jump("no-such-chain")))));
        List<NftOp> batch = List.of(new NftOp.AddElements(IP, T, "cluster-ips", List.of(NftElement.key(ip(7)))), bad);
        NftApplyException e = assertThrows(NftApplyException.class, () -> kernel().apply(batch));
        assertEquals(bad, e.op());
        assertEquals(NftSimulator.ENOENT, e.errno());
        assertEquals(t, kernel().read(IP, T).orElseThrow());
    }

    /** The syncer skips a resync's dump while the generation is the one its own batch left. */
    @Test
    void theGenerationMovesByOnePerCommittedBatchAndNotOnReadsOrRefusals() {
        long start = kernel().generation().orElseThrow();
        NftTable t = table(NftVerdict.goTo("service-a"));
        kernel().apply(create(t));
        assertEquals(start + 1, kernel().generation().orElseThrow());
        kernel().read(IP, T);
        kernel().exists(IP, T);
        assertEquals(start + 1, kernel().generation().orElseThrow());
        NftOp bad = new NftOp.AddRule(IP, T, "service-a",
                NftRule.of(List.of(NftExpr.Immediate.verdict(NftVerdict.jump("no-such-chain")))));
        assertThrows(NftApplyException.class, () -> kernel().apply(List.of(bad)));
        assertEquals(start + 1, kernel().generation().orElseThrow());
        kernel().apply(List.of(new NftOp.AddElements(IP, T, "cluster-ips", List.of(NftElement.key(ip(9))))));
        assertEquals(start + 2, kernel().generation().orElseThrow());
    }

    @Test
    void anElementCannotBeAddedAgainWithOtherDataButCanBeReplacedInOneBatch() {
        kernel().apply(create(table(NftVerdict.goTo("service-a"))));
        NftElement other = NftElement.verdict(ip(1), NftVerdict.DROP, "ns/a:p");
        NftApplyException e = assertThrows(NftApplyException.class, () -> kernel().apply(
                List.of(new NftOp.AddElements(IP, T, "no-endpoint-services", List.of(other)))));
        assertEquals(NftSimulator.EEXIST, e.errno());
        kernel().apply(List.of(
                new NftOp.DeleteElements(IP, T, "no-endpoint-services", List.of(NftElement.key(ip(1)))),
                new NftOp.AddElements(IP, T, "no-endpoint-services", List.of(other))));
        assertEquals(table(NftVerdict.DROP), kernel().read(IP, T).orElseThrow());
    }

    @Test
    void aSetInUseAndAChainWithRulesCannotBeDeleted() {
        kernel().apply(create(table(NftVerdict.goTo("service-a"))));
        NftApplyException set = assertThrows(NftApplyException.class,
                () -> kernel().apply(List.of(new NftOp.DeleteSet(IP, T, "cluster-ips"))));
        assertEquals(NftSimulator.EBUSY, set.errno());
        NftApplyException chain = assertThrows(NftApplyException.class,
                () -> kernel().apply(List.of(new NftOp.DeleteChain(IP, T, "cluster-ips-check"))));
        assertEquals(NftSimulator.EBUSY, chain.errno());
    }

    @Test
    void aSetIsRecreatedInOneBatchAfterFlushingTheChainThatUsesIt() {
        NftTable t = table(NftVerdict.goTo("service-a"));
        kernel().apply(create(t));
        NftSet commented = new NftSet("cluster-ips", ADDR, null, 0, 0, 0, "cluster IPs", List.of(NftElement.key(ip(3))));
        NftChain check = t.chains().get("cluster-ips-check");
        kernel().apply(List.of(
                new NftOp.FlushChain(IP, T, "cluster-ips-check"),
                new NftOp.DeleteSet(IP, T, "cluster-ips"),
                new NftOp.AddSet(IP, T, commented),
                new NftOp.AddRule(IP, T, "cluster-ips-check", check.rules().get(0)),
                new NftOp.AddElements(IP, T, "cluster-ips", commented.elements())));
        NftTable got = kernel().read(IP, T).orElseThrow();
        assertEquals(commented, got.sets().get("cluster-ips"));
        assertEquals(check, got.chains().get("cluster-ips-check"));
    }

    @Test
    void aFlushedChainNothingJumpsToCanBeDeleted() {
        kernel().apply(create(table(NftVerdict.goTo("service-a"))));
        kernel().apply(List.of(
                new NftOp.DeleteElements(IP, T, "no-endpoint-services", List.of(NftElement.key(ip(1)))),
                new NftOp.FlushChain(IP, T, "service-a")));
        kernel().apply(List.of(new NftOp.DeleteChain(IP, T, "service-a")));
        assertTrue(!kernel().read(IP, T).orElseThrow().chains().containsKey("service-a"));
    }

    @Test
    void aTableIsDeletedWithEverythingInIt() {
        kernel().apply(create(table(NftVerdict.goTo("service-a"))));
        kernel().apply(List.of(new NftOp.DeleteTable(IP, T)));
        assertTrue(kernel().read(IP, T).isEmpty());
    }

    /** The ops that create {@code t} from nothing, in the diff's order. */
    protected static List<NftOp> create(NftTable t) {
        return io.svcproxy.diff.nftables.NftDiff.diff(null, t).ops();
    }

    /**
     * A base chain jumping to a check chain that looks up a named set, a verdict map whose one
     * element's verdict is given, and the chain it goes to.
     */
    protected static NftTable table(NftVerdict noEndpointVerdict) {
        Map<String, NftChain> chains = new LinkedHashMap<>();
        chains.put("nat-prerouting", new NftChain("nat-prerouting",
                new NftChain.Base("nat", NftChain.PREROUTING, -100, NftVerdict.ACCEPT), null, List.of(
                NftRule.of(List.of(NftExpr.Immediate.verdict(NftVerdict.jump("cluster-ips-check")))))));
        chains.put("cluster-ips-check", NftChain.regular("cluster-ips-check", List.of(new NftRule(List.of(
                new NftExpr.Payload(NftExpr.Payload.NETWORK_HEADER, 16, 4, 1),
                new NftExpr.Lookup(new NftExpr.Named("cluster-ips"), 1, NftExpr.Lookup.NO_DREG, 0),
                NftExpr.Immediate.verdict(NftVerdict.DROP)), "drop traffic to unallocated cluster IPs"))));
        chains.put("service-a", NftChain.regular("service-a", List.of(NftRule.of(List.of(
                new NftExpr.Payload(NftExpr.Payload.NETWORK_HEADER, 12, 4, 1),
                new NftExpr.Cmp(1, NftExpr.Cmp.EQ, ip(200)),
                NftExpr.Immediate.verdict(NftVerdict.ACCEPT))))));
        Map<String, NftSet> sets = new LinkedHashMap<>();
        sets.put("cluster-ips", new NftSet("cluster-ips", ADDR, null, 0, 0, 0, null,
                List.of(NftElement.key(ip(1)), NftElement.key(ip(2)))));
        sets.put("no-endpoint-services", new NftSet("no-endpoint-services", ADDR, VERDICT, NftSet.F_MAP, 0, 0, null,
                List.of(NftElement.verdict(ip(1), noEndpointVerdict, "ns/a:p"))));
        return new NftTable(IP, T, "contract test", chains, sets);
    }

    protected static Bytes ip(int n) {
        return Bytes.be32(0x0a600000 + n);
    }
}
