package io.svcproxy.plan.nftables;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftExpr.Bitwise;
import io.svcproxy.nftables.NftExpr.Cmp;
import io.svcproxy.nftables.NftExpr.Ct;
import io.svcproxy.nftables.NftExpr.Fib;
import io.svcproxy.nftables.NftExpr.Immediate;
import io.svcproxy.nftables.NftExpr.Lookup;
import io.svcproxy.nftables.NftExpr.Meta;
import io.svcproxy.nftables.NftExpr.MetaSet;
import io.svcproxy.nftables.NftExpr.Payload;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftVerdict;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Small builders for the expression sequences nft 1.0.6 compiles kube-proxy's rule texts into (the
 * exact kernel expressions, so a planned rule and the same rule read back compare equal). Each
 * method is one nft phrase: {@code ip daddr}, {@code ct state new}, {@code meta mark set ...}.
 */
public final class NftRules {
    /** ct state bit "new" and ct status bit "dnat" (IP_CT_NEW as a state bit, IPS_DST_NAT). */
    static final int CT_STATE_NEW = 0x8;
    static final int CT_STATUS_DNAT = 0x20;
    /** fib result "type local" (RTN_LOCAL). */
    static final int RTN_LOCAL = 2;
    /** reject: ICMP(v6) port unreachable, nft's default "reject". */
    static final int REJECT_ICMP_UNREACH = 0;
    static final int ICMP_PORT_UNREACH = 3;
    static final int ICMPV6_PORT_UNREACH = 4;
    /** nat flags: a map of addresses and a port given (NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED). */
    static final int NAT_ADDR_AND_PORT = 0x3;
    static final int IFNAMSIZ = 16;

    private NftRules() {
    }

    /**
     * Register holding the 32-bit word {@code word} of a value loaded at register 1, as nft numbers it:
     * a 16-byte register where the word starts one, else a 32-bit one.
     */
    static int reg(int word) {
        return word % 4 == 0 ? NftExpr.REG_1 + word / 4 : NftExpr.REG32_00 + word;
    }

    static int addrLen(IpFamily f) {
        return f == IpFamily.V4 ? 4 : 16;
    }

    static int saddrOffset(IpFamily f) {
        return f == IpFamily.V4 ? 12 : 8;
    }

    static int daddrOffset(IpFamily f) {
        return f == IpFamily.V4 ? 16 : 24;
    }

    public static Payload saddr(IpFamily f, int dreg) {
        return new Payload(Payload.NETWORK_HEADER, saddrOffset(f), addrLen(f), dreg);
    }

    public static Payload daddr(IpFamily f, int dreg) {
        return new Payload(Payload.NETWORK_HEADER, daddrOffset(f), addrLen(f), dreg);
    }

    public static Payload thDport(int dreg) {
        return new Payload(Payload.TRANSPORT_HEADER, 2, 2, dreg);
    }

    public static Meta l4proto(int dreg) {
        return new Meta(Meta.L4PROTO, dreg);
    }

    /** {@code ip daddr 10.96.0.0/16}, {@code ip saddr != 10.244.0.0/16}: nft loads only the prefix's bytes when it can. */
    public static List<NftExpr> addrMatch(IpFamily f, boolean source, Cidr cidr, boolean negate) {
        int offset = source ? saddrOffset(f) : daddrOffset(f);
        int len = addrLen(f);
        byte[] net = cidr.network().getAddress();
        int op = negate ? Cmp.NEQ : Cmp.EQ;
        int prefix = cidr.prefixLength();
        if (prefix % 8 == 0) {
            int n = prefix / 8;
            return List.of(new Payload(Payload.NETWORK_HEADER, offset, n, NftExpr.REG_1),
                    new Cmp(NftExpr.REG_1, op, Bytes.of(net, 0, n)));
        }
        byte[] mask = new byte[len];
        for (int i = 0; i < prefix; i++) {
            mask[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return List.of(new Payload(Payload.NETWORK_HEADER, offset, len, NftExpr.REG_1),
                new Bitwise(NftExpr.REG_1, NftExpr.REG_1, len, Bytes.of(mask), Bytes.of(new byte[len])),
                new Cmp(NftExpr.REG_1, op, Bytes.of(net, 0, len)));
    }

    public static List<NftExpr> addrIs(IpFamily f, boolean source, InetAddress ip, boolean negate) {
        return addrMatch(f, source, new Cidr(ip, f.bits()), negate);
    }

    /** {@code ip daddr @set} / {@code ip saddr @set}. */
    public static List<NftExpr> addrInSet(IpFamily f, boolean source, String set) {
        return List.of(source ? saddr(f, NftExpr.REG_1) : daddr(f, NftExpr.REG_1),
                new Lookup(new NftExpr.Named(set), NftExpr.REG_1, Lookup.NO_DREG, 0));
    }

    /** {@code ip saddr != { CIDR, ... }}: a lookup in an anonymous interval set, inverted. */
    public static List<NftExpr> saddrNotIn(IpFamily f, NftSet anonymousIntervals) {
        return List.of(saddr(f, NftExpr.REG_1),
                new Lookup(new NftExpr.Anonymous(anonymousIntervals), NftExpr.REG_1, Lookup.NO_DREG, Lookup.F_INV));
    }

    /** {@code ip daddr . meta l4proto . th dport vmap @map}. */
    public static List<NftExpr> daddrProtoPortVmap(IpFamily f, String map) {
        int w = addrLen(f) / 4;
        return List.of(daddr(f, NftExpr.REG_1), l4proto(reg(w)), thDport(reg(w + 1)),
                new Lookup(new NftExpr.Named(map), NftExpr.REG_1, NftExpr.REG_VERDICT, 0));
    }

    /** {@code meta l4proto . th dport vmap @map}. */
    public static List<NftExpr> protoPortVmap(String map) {
        return List.of(l4proto(NftExpr.REG_1), thDport(reg(1)),
                new Lookup(new NftExpr.Named(map), NftExpr.REG_1, NftExpr.REG_VERDICT, 0));
    }

    /** {@code ip saddr . ip daddr . meta l4proto . th dport @set}. */
    public static List<NftExpr> hairpinLookup(IpFamily f, String set) {
        int w = addrLen(f) / 4;
        return List.of(saddr(f, NftExpr.REG_1), daddr(f, reg(w)), l4proto(reg(2 * w)), thDport(reg(2 * w + 1)),
                new Lookup(new NftExpr.Named(set), NftExpr.REG_1, Lookup.NO_DREG, 0));
    }

    /** {@code meta l4proto tcp}. */
    public static List<NftExpr> l4protoIs(Protocol p) {
        return List.of(l4proto(NftExpr.REG_1), new Cmp(NftExpr.REG_1, Cmp.EQ, Bytes.u8(ipProto(p))));
    }

    public static int ipProto(Protocol p) {
        return switch (p) {
            case TCP -> 6;
            case UDP -> 17;
            case SCTP -> 132;
        };
    }

    /** {@code ct state new}. */
    public static List<NftExpr> ctStateNew() {
        return ctBits(Ct.STATE, CT_STATE_NEW);
    }

    /** {@code ct status dnat}. */
    public static List<NftExpr> ctStatusDnat() {
        return ctBits(Ct.STATUS, CT_STATUS_DNAT);
    }

    private static List<NftExpr> ctBits(int key, int bits) {
        return List.of(new Ct(key, NftExpr.REG_1, -1), hostMask(bits, 0),
                new Cmp(NftExpr.REG_1, Cmp.NEQ, Bytes.host32(0)));
    }

    private static Bitwise hostMask(int mask, int xor) {
        return new Bitwise(NftExpr.REG_1, NftExpr.REG_1, 4, Bytes.host32(mask), Bytes.host32(xor));
    }

    /** {@code meta mark & M != 0}. */
    public static List<NftExpr> markSet(long mark) {
        return List.of(new Meta(Meta.MARK, NftExpr.REG_1), hostMask((int) mark, 0),
                new Cmp(NftExpr.REG_1, Cmp.NEQ, Bytes.host32(0)));
    }

    /** {@code meta mark set meta mark | M}. */
    public static List<NftExpr> setMarkBits(long mark) {
        return List.of(new Meta(Meta.MARK, NftExpr.REG_1), hostMask(~(int) mark, (int) mark),
                new MetaSet(Meta.MARK, NftExpr.REG_1));
    }

    /** {@code meta mark set meta mark ^ M}. */
    public static List<NftExpr> flipMarkBits(long mark) {
        return List.of(new Meta(Meta.MARK, NftExpr.REG_1), hostMask(0xffffffff, (int) mark),
                new MetaSet(Meta.MARK, NftExpr.REG_1));
    }

    /** {@code fib saddr type local} / {@code fib daddr type local}. */
    public static List<NftExpr> fibTypeLocal(boolean source) {
        return List.of(new Fib(NftExpr.REG_1, Fib.RESULT_ADDRTYPE, source ? Fib.F_SADDR : Fib.F_DADDR),
                new Cmp(NftExpr.REG_1, Cmp.EQ, Bytes.host32(RTN_LOCAL)));
    }

    /** {@code iifname "br0"} (exact, NUL-padded) or {@code iifname "veth*"} (a prefix, from kube-proxy's "veth+"). */
    public static List<NftExpr> iifname(String name, boolean negate) {
        byte[] value;
        if (name.endsWith("+")) {
            value = name.substring(0, name.length() - 1).getBytes(StandardCharsets.US_ASCII);
        } else {
            value = Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), IFNAMSIZ);
        }
        return List.of(new Meta(Meta.IIFNAME, NftExpr.REG_1),
                new Cmp(NftExpr.REG_1, negate ? Cmp.NEQ : Cmp.EQ, Bytes.of(value)));
    }

    public static Immediate verdict(NftVerdict v) {
        return Immediate.verdict(v);
    }

    public static Immediate jump(String chain) {
        return Immediate.verdict(NftVerdict.jump(chain));
    }

    public static Immediate goTo(String chain) {
        return Immediate.verdict(NftVerdict.goTo(chain));
    }

    public static NftExpr.Masq masqueradeFullyRandom() {
        return new NftExpr.Masq(NftExpr.Masq.FULLY_RANDOM);
    }

    public static NftExpr.Reject reject(IpFamily f) {
        return new NftExpr.Reject(REJECT_ICMP_UNREACH, f == IpFamily.V4 ? ICMP_PORT_UNREACH : ICMPV6_PORT_UNREACH);
    }

    /** {@code numgen random mod N vmap { ... }}. */
    public static List<NftExpr> numgenVmap(int n, NftSet anonymousVmap) {
        return List.of(new NftExpr.Numgen(NftExpr.REG_1, n, NftExpr.Numgen.RANDOM, 0),
                new Lookup(new NftExpr.Anonymous(anonymousVmap), NftExpr.REG_1, NftExpr.REG_VERDICT, 0));
    }

    /** {@code dnat ip to numgen random mod N map { i : addr . port }}: address and port land in one register pair. */
    public static List<NftExpr> numgenDnat(IpFamily f, int n, NftSet anonymousMap) {
        int portReg = reg(addrLen(f) / 4);
        return List.of(new NftExpr.Numgen(NftExpr.REG_1, n, NftExpr.Numgen.RANDOM, 0),
                new Lookup(new NftExpr.Anonymous(anonymousMap), NftExpr.REG_1, NftExpr.REG_1, 0),
                dnat(f, NftExpr.REG_1, portReg));
    }

    /** {@code dnat to ip:port}: nft puts the port in the next 16-byte register. */
    public static List<NftExpr> dnatTo(IpFamily f, InetAddress ip, int port) {
        int portReg = NftExpr.REG_1 + 1;
        return List.of(new Immediate(NftExpr.REG_1, null, Bytes.address(ip)),
                new Immediate(portReg, null, Bytes.be16(port)),
                dnat(f, NftExpr.REG_1, portReg));
    }

    private static NftExpr.Nat dnat(IpFamily f, int addrReg, int portReg) {
        return new NftExpr.Nat(NftExpr.Nat.DNAT, NftFamily.of(f).nfproto(), addrReg, addrReg,
                portReg, portReg, NAT_ADDR_AND_PORT);
    }

    /** {@code update @set { ip saddr }}. */
    public static List<NftExpr> updateSaddr(IpFamily f, String set) {
        return List.of(saddr(f, NftExpr.REG_1), new NftExpr.Dynset(NftExpr.Dynset.UPDATE, NftExpr.REG_1, set, 0));
    }

    /** Concatenates phrases into one rule's expression list. */
    @SafeVarargs
    public static List<NftExpr> seq(List<? extends NftExpr>... parts) {
        List<NftExpr> out = new ArrayList<>();
        for (List<? extends NftExpr> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    public static List<NftExpr> one(NftExpr e) {
        return List.of(e);
    }
}
