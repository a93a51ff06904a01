package io.svcproxy.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.explain.nftables.NftExplainer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftVerdict;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The nftables walk on hand-made tables: unknown expressions, foreign tables, numgen forks, chain order. */
class NftExplainerTest {
    private static final Packet PACKET = new Packet(Addresses.parseIp("10.244.1.5"), Addresses.parseIp("10.96.0.1"),
            80, Protocol.TCP, null, Origin.ROUTED);

    private static NftTable table(String name, NftChain... chains) {
        Map<String, NftChain> map = new LinkedHashMap<>();
        for (NftChain c : chains) {
            map.put(c.name(), c);
        }
        return new NftTable(NftFamily.IP, name, null, map, Map.of());
    }

    private static NftChain base(String name, int priority, List<NftRule> rules) {
        return new NftChain(name, new NftChain.Base("nat", NftChain.PREROUTING, priority, null), null, rules);
    }

    /** ip daddr 10.96.0.1: payload of the network header's destination, compared. */
    private static List<NftExpr> toVip() {
        return List.of(new NftExpr.Payload(NftExpr.Payload.NETWORK_HEADER, 16, 4, NftExpr.REG_1),
                new NftExpr.Cmp(NftExpr.REG_1, NftExpr.Cmp.EQ, Bytes.address(Addresses.parseIp("10.96.0.1"))));
    }

    /** dnat to the address loaded in register 1, the port kept. */
    private static NftExpr dnatToReg1() {
        return new NftExpr.Nat(NftExpr.Nat.DNAT, 2, NftExpr.REG_1, NftExpr.REG_1, 0, 0, 0);
    }

    @Test
    void numgenForksIntoEqualSharesAndAnUnknownExpressionIsFlagged() {
        List<NftExpr> pick = new java.util.ArrayList<>(toVip());
        pick.add(new NftExpr.Numgen(NftExpr.REG_1, 4, NftExpr.Numgen.RANDOM, 0));
        pick.add(new NftExpr.Cmp(NftExpr.REG_1, NftExpr.Cmp.EQ, Bytes.host32(0)));
        pick.add(new NftExpr.Immediate(NftExpr.REG_1, null, Bytes.address(Addresses.parseIp("10.244.2.1"))));
        pick.add(dnatToReg1());
        List<NftExpr> rest = new java.util.ArrayList<>(toVip());
        rest.add(new NftExpr.Immediate(NftExpr.REG_1, null, Bytes.address(Addresses.parseIp("10.244.2.2"))));
        rest.add(dnatToReg1());
        NftRule odd = NftRule.of(List.of(new NftExpr.Other("osf", Bytes.EMPTY),
                NftExpr.Immediate.verdict(NftVerdict.DROP)));
        NftTable ours = table("kube-proxy", base("nat-prerouting", -100,
                List.of(odd, NftRule.of(pick), NftRule.of(rest))));
        Explanation e = NftExplainer.explain(List.of(ours), PACKET, new NodeFacts(List.of()), "t");
        assertEquals(Map.of("10.244.2.1:80", 0.25, "10.244.2.2:80", 0.75), e.endpoints());
        assertTrue(e.paths().get(0).hops().get(0).note().startsWith("not evaluated: expression osf"),
                e.paths().get(0).hops().toString());
    }

    @Test
    void baseChainsRunByPriorityAcrossTablesAndOthersAreForeign() {
        NftTable ours = table("kube-proxy", base("nat-prerouting", -100, List.of(NftRule.of(List.of(
                NftExpr.Immediate.verdict(NftVerdict.ACCEPT))))));
        NftTable theirs = table("cni", base("early", -200, List.of(NftRule.of(List.of(
                NftExpr.Immediate.verdict(NftVerdict.DROP))))));
        Explanation e = NftExplainer.explain(List.of(ours, theirs), PACKET, new NodeFacts(List.of()), "t");
        assertEquals(Verdict.DROPPED, e.verdict());
        Hop drop = e.paths().get(0).hops().get(0);
        assertTrue(drop.foreign(), drop.toString());
        assertEquals("ip cni early", drop.where());
    }
}
