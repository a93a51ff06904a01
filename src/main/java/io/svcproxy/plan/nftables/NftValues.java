package io.svcproxy.plan.nftables;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Set keys, map values and anonymous sets as the kernel holds them (concatenations padded per field). */
public final class NftValues {
    /** Anonymous sets are compared by content; the kernel's "__setN"/"__mapN" numbering is not ours to plan. */
    public static final String ANONYMOUS_SET = "__set";
    public static final String ANONYMOUS_MAP = "__map";
    static final int ANONYMOUS_CONSTANT = NftSet.F_ANONYMOUS | NftSet.F_CONSTANT;

    private NftValues() {
    }

    public static NftType addrType(IpFamily f) {
        return f == IpFamily.V4 ? NftType.IPV4_ADDR : NftType.IPV6_ADDR;
    }

    public static Bytes addr(InetAddress ip) {
        return Bytes.address(ip);
    }

    public static Bytes proto(Protocol p) {
        return Bytes.u8(NftRules.ipProto(p));
    }

    /** addr . proto . port. */
    public static Bytes addrProtoPort(InetAddress ip, Protocol p, int port) {
        return Bytes.concat(addr(ip), proto(p), Bytes.be16(port));
    }

    /** proto . port. */
    public static Bytes protoPort(Protocol p, int port) {
        return Bytes.concat(proto(p), Bytes.be16(port));
    }

    /** A numgen result: a host-order 32-bit integer. */
    public static Bytes index(int i) {
        return Bytes.host32(i);
    }

    /** { 0 : goto a, 1 : goto b, ... }. */
    public static NftSet indexVmap(List<String> chains) {
        List<NftElement> els = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            els.add(NftElement.verdict(index(i), NftVerdict.goTo(chains.get(i)), null));
        }
        return new NftSet(ANONYMOUS_MAP, NftKeyType.of(NftType.INTEGER), NftKeyType.of(NftType.VERDICT),
                ANONYMOUS_CONSTANT | NftSet.F_MAP, 0, 0, null, els);
    }

    /** { 0 : addr . port, ... }. */
    public static NftSet indexDnatMap(IpFamily f, List<InetAddress> ips, List<Integer> ports) {
        List<NftElement> els = new ArrayList<>();
        for (int i = 0; i < ips.size(); i++) {
            els.add(NftElement.data(index(i), Bytes.concat(addr(ips.get(i)), Bytes.be16(ports.get(i)))));
        }
        return new NftSet(ANONYMOUS_MAP, NftKeyType.of(NftType.INTEGER),
                NftKeyType.of(addrType(f), NftType.INET_SERVICE), ANONYMOUS_CONSTANT | NftSet.F_MAP, 0, 0, null, els);
    }

    /**
     * { CIDR, ... } as an anonymous interval set, with overlapping and adjacent ranges merged as nft
     * merges them (so the set equals what the kernel holds). Each element is one range: its key the
     * first address, its data the first address past it (all zeros past the top of the space); the
     * kernel stores the latter as a separate interval-end element, the codec maps between the two.
     */
    public static NftSet cidrIntervals(IpFamily f, List<Cidr> cidrs) {
        int bits = f.bits();
        List<BigInteger[]> ranges = new ArrayList<>();
        for (Cidr c : cidrs) {
            BigInteger start = new BigInteger(1, c.network().getAddress());
            ranges.add(new BigInteger[] {start, start.add(BigInteger.ONE.shiftLeft(bits - c.prefixLength()))});
        }
        ranges.sort((a, b) -> a[0].compareTo(b[0]));
        List<BigInteger[]> merged = new ArrayList<>();
        for (BigInteger[] r : ranges) {
            BigInteger[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0].compareTo(last[1]) <= 0) {
                last[1] = last[1].max(r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        List<NftElement> els = new ArrayList<>();
        for (BigInteger[] r : merged) {
            els.add(NftElement.data(toBytes(r[0], bits / 8), toBytes(r[1], bits / 8)));
        }
        return new NftSet(ANONYMOUS_SET, NftKeyType.of(addrType(f)), null, ANONYMOUS_CONSTANT | NftSet.F_INTERVAL,
                0, 0, null, els);
    }

    /** The low {@code len} bytes of {@code v}, big-endian (2^bits wraps to all zeros). */
    private static Bytes toBytes(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[len];
        for (int i = 0; i < len && i < raw.length; i++) {
            out[len - 1 - i] = raw[raw.length - 1 - i];
        }
        return Bytes.of(out);
    }
}
