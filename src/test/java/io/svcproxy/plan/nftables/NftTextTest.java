package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;
import org.junit.jupiter.api.Test;

import java.util.List;

class NftTextTest {
    private final NftRuleText v4 = new NftRuleText(NftFamily.IP);

    @Test
    void unknownShapesRenderAsUnrenderableNotAsAGuess() {
        String other = v4.render(NftRule.of(List.of(new NftExpr.Other("counter", Bytes.EMPTY))));
        assertTrue(other.startsWith("# unrenderable: counter"), other);
        String lt = v4.render(NftRule.of(List.of(NftRules.thDport(NftExpr.REG_1),
                new NftExpr.Cmp(NftExpr.REG_1, NftExpr.Cmp.LT, Bytes.be16(80)))));
        assertTrue(lt.startsWith("# unrenderable: payload cmp"), lt);
        String dangling = v4.render(NftRule.of(List.of(NftRules.daddr(IpFamily.V4, NftExpr.REG_1))));
        assertTrue(dangling.startsWith("# unrenderable:"), dangling);
        String ctOther = v4.render(NftRule.of(List.of(new NftExpr.Ct(NftExpr.Ct.STATE, 1, -1),
                new NftExpr.Bitwise(1, 1, 4, Bytes.host32(0x2), Bytes.host32(0)),
                new NftExpr.Cmp(1, NftExpr.Cmp.NEQ, Bytes.host32(0)))));
        assertTrue(ctOther.startsWith("# unrenderable:"), ctOther);
    }

    @Test
    void phrasesRenderAsNftPrintsThem() {
        assertEquals("ct state new jump firewall-check", v4.render(NftRule.of(NftRules.seq(NftRules.ctStateNew(),
                NftRules.one(NftRules.jump("firewall-check"))))));
        assertEquals("ip saddr != 198.51.100.0/25 drop", v4.render(NftRule.of(NftRules.seq(
                NftRules.addrMatch(IpFamily.V4, true, Cidr.parse("198.51.100.0/25"), true),
                NftRules.one(NftRules.verdict(NftVerdict.DROP))))));
        assertEquals("ip daddr 10.96.0.0/16 drop", v4.render(NftRule.of(NftRules.seq(
                NftRules.addrMatch(IpFamily.V4, false, Cidr.parse("10.96.0.0/16"), false),
                NftRules.one(NftRules.verdict(NftVerdict.DROP))))));
        assertEquals("iifname != \"veth*\" meta mark set meta mark | 0x00004000", v4.render(NftRule.of(NftRules.seq(
                NftRules.iifname("veth+", true), NftRules.setMarkBits(0x4000)))));
        assertEquals("iifname \"br0\" goto x", v4.render(NftRule.of(NftRules.seq(
                NftRules.iifname("br0", false), NftRules.one(NftRules.goTo("x"))))));
        assertEquals("ip saddr != { 100.64.0.0/10, 198.51.100.0/25, 203.0.113.7 } drop",
                v4.render(NftRule.of(NftRules.seq(NftRules.saddrNotIn(IpFamily.V4, NftValues.cidrIntervals(IpFamily.V4,
                        List.of(Cidr.parse("198.51.100.0/25"), Cidr.parse("100.64.0.0/10"),
                                Cidr.parse("203.0.113.7/32")))), NftRules.one(NftRules.verdict(NftVerdict.DROP))))));
        assertEquals("meta l4proto tcp dnat to [fd00::1]:8080", new NftRuleText(NftFamily.IP6).render(NftRule.of(
                NftRules.seq(NftRules.l4protoIs(io.svcproxy.model.Protocol.TCP),
                        NftRules.dnatTo(IpFamily.V6, Addresses.parseIp("fd00::1"), 8080)))));
    }

    @Test
    void ruleCommentsThatCouldBreakOutOfTheirQuotesAreNotPrinted() {
        String r = v4.render(new NftRule(List.of(NftRules.verdict(NftVerdict.ACCEPT)), "x\" ; flush ruleset ; \""));
        assertTrue(r.startsWith("# unrenderable:"), r);
        NftSet bad = new NftSet("s", NftKeyType.of(NftType.IPV4_ADDR), null, 0, 0, 0, "a\nb", List.of());
        assertThrows(IllegalArgumentException.class, () -> NftText.set(bad));
        assertThrows(IllegalArgumentException.class, () -> NftText.name("a b"));
        assertThrows(IllegalArgumentException.class, () -> NftText.name("x;y"));
        assertThrows(IllegalArgumentException.class, () -> NftText.name("9abc"));
        assertEquals("service-ABCDEFGH-ns/svc/tcp/p", NftText.name("service-ABCDEFGH-ns/svc/tcp/p"));
    }

    @Test
    void prioritiesAreSymbolicWithinTenOfAStandardOneForTheHook() {
        assertEquals("dstnat - 10", NftText.priority(NftFamily.IP, NftChain.PREROUTING, -110));
        assertEquals("-110", NftText.priority(NftFamily.IP, NftChain.OUTPUT, -110));
        assertEquals("-100", NftText.priority(NftFamily.IP, NftChain.OUTPUT, -100));
        assertEquals("dstnat", NftText.priority(NftFamily.IP, NftChain.PREROUTING, -100));
        assertEquals("srcnat", NftText.priority(NftFamily.IP, NftChain.POSTROUTING, 100));
        assertEquals("filter + 10", NftText.priority(NftFamily.IP, NftChain.INPUT, 10));
        assertEquals("filter", NftText.priority(NftFamily.IP6, NftChain.FORWARD, 0));
    }

    @Test
    void durationsAsNftPrintsThem() {
        assertEquals("3h", NftValueText.duration(10800_000));
        assertEquals("1h30m", NftValueText.duration(5400_000));
        assertEquals("10s", NftValueText.duration(10_000));
        assertEquals("1d", NftValueText.duration(86400_000));
        assertEquals("1m1s", NftValueText.duration(61_000));
    }

    @Test
    void namedSetElementsWrapAsNftWrapsThem() {
        List<NftElement> ips = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3").stream()
                .map(ip -> NftElement.key(Bytes.address(Addresses.parseIp(ip)))).toList();
        NftSet s = new NftSet("cluster-ips", NftKeyType.of(NftType.IPV4_ADDR), null, 0, 0, 0, "c", ips);
        assertEquals("\tset cluster-ips {\n\t\ttype ipv4_addr\n\t\tcomment \"c\"\n"
                + "\t\telements = { 10.0.0.1, 10.0.0.2,\n\t\t\t     10.0.0.3 }\n\t}\n", NftText.set(s));
        NftSet vmap = new NftSet("m", NftKeyType.of(NftType.INET_PROTO, NftType.INET_SERVICE),
                NftKeyType.of(NftType.VERDICT), NftSet.F_MAP, 0, 0, null, List.of(
                        NftElement.verdict(NftValues.protoPort(io.svcproxy.model.Protocol.UDP, 53), NftVerdict.DROP, "ns/a"),
                        NftElement.verdict(NftValues.protoPort(io.svcproxy.model.Protocol.TCP, 80),
                                NftVerdict.goTo("reject-chain"), "ns/b:http")));
        assertEquals("\tmap m {\n\t\ttype inet_proto . inet_service : verdict\n"
                + "\t\telements = { tcp . 80 comment \"ns/b:http\" : goto reject-chain,\n"
                + "\t\t\t     udp . 53 comment \"ns/a\" : drop }\n\t}\n", NftText.set(vmap));
    }
}
