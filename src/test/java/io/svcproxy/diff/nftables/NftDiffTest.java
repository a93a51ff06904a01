package io.svcproxy.diff.nftables;

import io.svcproxy.nftables.Bytes;
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
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the diff sends for the changes a cluster makes most: exactly these ops, nothing more. */
class NftDiffTest {
    private static final NftFamily IP = NftFamily.IP;
    private static final String T = "kube-proxy";
    private static final NftKeyType ADDR = NftKeyType.of(NftType.IPV4_ADDR);
    private static final NftKeyType VERDICT = NftKeyType.of(NftType.VERDICT);

    @Test
    void anEndpointAddedRewritesOnlyItsServiceChainAndAddsItsEndpointChain() {
        NftTable before = table(Map.of("service-a", List.of("endpoint-a1")), List.of());
        NftTable after = table(Map.of("service-a", List.of("endpoint-a1", "endpoint-a2")), List.of());
        List<NftOp> ops = NftDiff.diff(before, after).ops();
        assertEquals(List.of(
                new NftOp.AddChain(IP, T, after.chains().get("endpoint-a2")),
                new NftOp.FlushChain(IP, T, "service-a"),
                new NftOp.AddRule(IP, T, "endpoint-a2", after.chains().get("endpoint-a2").rules().get(0)),
                new NftOp.AddRule(IP, T, "service-a", after.chains().get("service-a").rules().get(0))), ops);
    }

    @Test
    void anEndpointRemovedFlushesItsChainAndTheNextSyncDeletesIt() {
        NftTable before = table(Map.of("service-a", List.of("endpoint-a1", "endpoint-a2")), List.of());
        NftTable after = table(Map.of("service-a", List.of("endpoint-a1")), List.of());
        List<NftOp> first = NftDiff.diff(before, after).ops();
        assertEquals(List.of(
                new NftOp.FlushChain(IP, T, "service-a"),
                new NftOp.FlushChain(IP, T, "endpoint-a2"),
                new NftOp.AddRule(IP, T, "service-a", after.chains().get("service-a").rules().get(0))), first);
        NftChanges.Counts counts = NftDiff.diff(before, after).counts();
        assertEquals(1, counts.chainsRewritten());
        assertEquals(1, counts.chainsFlushedStale());

        Map<String, NftChain> chains = new LinkedHashMap<>(after.chains());
        chains.put("endpoint-a2", NftChain.regular("endpoint-a2", List.of()));
        NftTable lingering = new NftTable(IP, T, after.comment(), chains, after.sets());
        assertEquals(List.of(new NftOp.DeleteChain(IP, T, "endpoint-a2")), NftDiff.diff(lingering, after).ops());
    }

    @Test
    void aClusterIpAddedIsOneElementAndNoChainIsTouched() {
        NftTable before = table(Map.of("service-a", List.of("endpoint-a1")), List.of(ip(1)));
        NftTable after = table(Map.of("service-a", List.of("endpoint-a1")), List.of(ip(1), ip(2)));
        assertEquals(List.of(new NftOp.AddElements(IP, T, "cluster-ips", List.of(NftElement.key(ip(2))))),
                NftDiff.diff(before, after).ops());
    }

    @Test
    void aMapElementWhoseVerdictChangedIsDeletedThenAdded() {
        NftTable before = withMap(NftVerdict.goTo("service-a"));
        NftTable after = withMap(NftVerdict.DROP);
        assertEquals(List.of(
                new NftOp.DeleteElements(IP, T, "no-endpoint-services", before.sets().get("no-endpoint-services").elements()),
                new NftOp.AddElements(IP, T, "no-endpoint-services", after.sets().get("no-endpoint-services").elements())),
                NftDiff.diff(before, after).ops());
    }

    @Test
    void theAffinityEntriesThePacketPathAddedAreNeverDeleted() {
        NftSet planned = new NftSet("affinity-a", ADDR, null, NftSet.F_EVAL | NftSet.F_TIMEOUT, 10_800_000, 65535,
                null, List.of());
        NftTable want = new NftTable(IP, T, null, Map.of(), Map.of("affinity-a", planned));
        NftTable have = new NftTable(IP, T, null, Map.of(),
                Map.of("affinity-a", planned.withElements(List.of(NftElement.key(ip(9))))));
        assertEquals(List.of(), NftDiff.diff(have, want).ops());
    }

    @Test
    void aChangedAffinityTimeoutRecreatesTheSetAfterFlushingTheChainThatUpdatesIt() {
        NftSet set = new NftSet("affinity-a", ADDR, null, NftSet.F_EVAL | NftSet.F_TIMEOUT, 10_800_000, 65535,
                null, List.of());
        NftSet shorter = new NftSet("affinity-a", ADDR, null, NftSet.F_EVAL | NftSet.F_TIMEOUT, 300_000, 65535,
                null, List.of());
        NftRule update = NftRule.of(List.of(new NftExpr.Dynset(NftExpr.Dynset.UPDATE, 1, "affinity-a", 0)));
        NftChain chain = NftChain.regular("endpoint-a1", List.of(update));
        NftTable have = new NftTable(IP, T, null, Map.of("endpoint-a1", chain), Map.of("affinity-a", set));
        NftTable want = new NftTable(IP, T, null, Map.of("endpoint-a1", chain), Map.of("affinity-a", shorter));
        assertEquals(List.of(
                new NftOp.FlushChain(IP, T, "endpoint-a1"),
                new NftOp.DeleteSet(IP, T, "affinity-a"),
                new NftOp.AddSet(IP, T, shorter),
                new NftOp.AddRule(IP, T, "endpoint-a1", update)), NftDiff.diff(have, want).ops());
    }

    @Test
    void largeElementListsAreSplitIntoBoundedMessages() {
        List<Bytes> ips = new ArrayList<>();
        for (int i = 0; i < NftDiff.ELEMENTS_PER_OP * 2 + 3; i++) {
            ips.add(ip(i));
        }
        List<NftOp> ops = NftDiff.diff(null, table(Map.of(), ips)).ops();
        List<Integer> sizes = ops.stream().filter(op -> op instanceof NftOp.AddElements)
                .map(op -> ((NftOp.AddElements) op).elements().size()).toList();
        assertEquals(List.of(NftDiff.ELEMENTS_PER_OP, NftDiff.ELEMENTS_PER_OP, 3), sizes);
    }

    private static NftTable withMap(NftVerdict verdict) {
        NftSet map = new NftSet("no-endpoint-services", NftKeyType.of(NftType.IPV4_ADDR), VERDICT, NftSet.F_MAP, 0, 0,
                null, List.of(NftElement.verdict(ip(1), verdict, "ns/a:p")));
        Map<String, NftChain> chains = new LinkedHashMap<>();
        chains.put("service-a", NftChain.regular("service-a", List.of()));
        return new NftTable(IP, T, null, chains, Map.of("no-endpoint-services", map));
    }

    /** Service chains spreading over endpoint chains with an anonymous numgen map, and a cluster-ips set. */
    private static NftTable table(Map<String, List<String>> services, List<Bytes> clusterIps) {
        Map<String, NftChain> chains = new LinkedHashMap<>();
        services.forEach((svc, eps) -> {
            List<NftElement> spread = new ArrayList<>();
            for (int i = 0; i < eps.size(); i++) {
                spread.add(NftElement.verdict(Bytes.host32(i), NftVerdict.goTo(eps.get(i)), null));
                chains.put(eps.get(i), NftChain.regular(eps.get(i), List.of(NftRule.of(List.of(
                        new NftExpr.Cmp(1, NftExpr.Cmp.EQ, ip(100 + i)), NftExpr.Immediate.verdict(NftVerdict.ACCEPT))))));
            }
            NftSet anon = new NftSet("__map0", NftKeyType.of(NftType.INTEGER), VERDICT,
                    NftSet.F_ANONYMOUS | NftSet.F_CONSTANT | NftSet.F_MAP, 0, 0, null, spread);
            chains.put(svc, NftChain.regular(svc, List.of(NftRule.of(List.of(
                    new NftExpr.Numgen(1, eps.size(), NftExpr.Numgen.RANDOM, 0),
                    new NftExpr.Lookup(new NftExpr.Anonymous(anon), 1, 0, 0))))));
        });
        NftSet set = new NftSet("cluster-ips", ADDR, null, 0, 0, 0, null,
                clusterIps.stream().map(NftElement::key).toList());
        return new NftTable(IP, T, "rules for kube-proxy", chains, Map.of("cluster-ips", set));
    }

    private static Bytes ip(int n) {
        return Bytes.be32(0x0a600000 + n);
    }
}
