package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkAttribute;
import io.svcproxy.netlink.NetlinkAttributes;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftVerdict;

import java.util.Set;

import static io.svcproxy.netlink.nftables.NftConstants.*;

/**
 * One rule expression to and from its NFTA_EXPR_DATA attributes. Attributes are written in the
 * order libnftnl writes them, so our messages compare byte for byte with nft's. Decoding is
 * strict about what it recognises: an expression with attributes our model has no field for
 * (payload set, ct set, bitwise shifts, dynset with expressions...) or with malformed values
 * becomes {@link NftExpr.Other}, so it never compares equal to a planned expression.
 */
final class NftExprCodec {
    /** Resolves a set name to the NFTA_SET_ID it got earlier in the same batch (0 = not in it). */
    interface SetIds {
        int idOf(String setName);
    }

    private NftExprCodec() {
    }

    /**
     * Writes one NFTA_LIST_ELEM for {@code e}. {@code previous} is the rule's expression before it:
     * nft's choice of two optional attributes depends on what loaded the registers (see below).
     */
    static void encode(NetlinkMessageBuilder b, NftExpr e, NftExpr previous, String anonymousName, int anonymousId,
                       SetIds setIds) {
        String name = e instanceof NftExpr.Other o ? o.name() : e.name();
        b.beginNested(NFTA_LIST_ELEM).attrString(NFTA_EXPR_NAME, name);
        if (e instanceof NftExpr.Other o) {
            b.rawNested(NFTA_EXPR_DATA, o.attributes().toArray());
            b.endNested();
            return;
        }
        b.beginNested(NFTA_EXPR_DATA);
        if (e instanceof NftExpr.Payload p) {
            b.attrU32BigEndian(NFTA_PAYLOAD_DREG, p.dreg())
                .attrU32BigEndian(NFTA_PAYLOAD_BASE, p.base())
                .attrU32BigEndian(NFTA_PAYLOAD_OFFSET, p.offset())
                .attrU32BigEndian(NFTA_PAYLOAD_LEN, p.len());
        } else if (e instanceof NftExpr.Meta m) {
            b.attrU32BigEndian(NFTA_META_KEY, m.key()).attrU32BigEndian(NFTA_META_DREG, m.dreg());
        } else if (e instanceof NftExpr.MetaSet m) {
            b.attrU32BigEndian(NFTA_META_KEY, m.key())
                .attrU32BigEndian(NFTA_META_SREG, m.sreg());
        } else if (e instanceof NftExpr.Ct c) {
            b.attrU32BigEndian(NFTA_CT_KEY, c.key()).attrU32BigEndian(NFTA_CT_DREG, c.dreg());
            if (c.direction() >= 0) {
                b.attrU8(NFTA_CT_DIRECTION, c.direction());
            }
        } else if (e instanceof NftExpr.Cmp c) {
            b.attrU32BigEndian(NFTA_CMP_SREG, c.sreg()).attrU32BigEndian(NFTA_CMP_OP, c.op());
            NftDataCodec.putValue(b, NFTA_CMP_DATA, c.data());
        } else if (e instanceof NftExpr.Bitwise w) {
            b.attrU32BigEndian(NFTA_BITWISE_SREG, w.sreg()).attrU32BigEndian(NFTA_BITWISE_DREG, w.dreg());
            // nft sends the (default) boolean op for "a & b | c" expressions, not for the flag
            // tests it generates for "ct state new" / "ct status dnat"; the kernel treats a
            // missing op as boolean, so both mean the same and the dump cannot tell them apart.
            boolean ctFlagTest = previous instanceof NftExpr.Ct c && c.dreg() == w.sreg();
            if (!ctFlagTest) {
                b.attrU32BigEndian(NFTA_BITWISE_OP, NFT_BITWISE_BOOL);
            }
            b.attrU32BigEndian(NFTA_BITWISE_LEN, w.len());
            NftDataCodec.putValue(b, NFTA_BITWISE_MASK, w.mask());
            NftDataCodec.putValue(b, NFTA_BITWISE_XOR, w.xor());
        } else if (e instanceof NftExpr.Lookup l) {
            b.attrU32BigEndian(NFTA_LOOKUP_SREG, l.sreg());
            if (l.dreg() != NftExpr.Lookup.NO_DREG) {
                b.attrU32BigEndian(NFTA_LOOKUP_DREG, l.dreg());
            }
            String setName;
            int id;
            if (l.set() instanceof NftExpr.Named n) {
                setName = n.name();
                id = setIds.idOf(setName);
            } else {
                setName = anonymousName;
                id = anonymousId;
            }
            b.attrString(NFTA_LOOKUP_SET, setName);
            if (id != 0) {
                b.attrU32BigEndian(NFTA_LOOKUP_SET_ID, id);
            }
            if (l.flags() != 0) {
                b.attrU32BigEndian(NFTA_LOOKUP_FLAGS, l.flags());
            }
        } else if (e instanceof NftExpr.Immediate i) {
            b.attrU32BigEndian(NFTA_IMMEDIATE_DREG, i.dreg());
            if (i.verdict() != null) {
                NftDataCodec.putVerdict(b, NFTA_IMMEDIATE_DATA, i.verdict());
            } else {
                NftDataCodec.putValue(b, NFTA_IMMEDIATE_DATA, i.data());
            }
        } else if (e instanceof NftExpr.Numgen n) {
            b.attrU32BigEndian(NFTA_NG_DREG, n.dreg())
                .attrU32BigEndian(NFTA_NG_MODULUS, n.modulus())
                .attrU32BigEndian(NFTA_NG_TYPE, n.type())
                .attrU32BigEndian(NFTA_NG_OFFSET, n.offset());
        } else if (e instanceof NftExpr.Nat n) {
            b.attrU32BigEndian(NFTA_NAT_TYPE, n.type()).attrU32BigEndian(NFTA_NAT_FAMILY, n.family());
            // The kernel dumps max = min for a range of one and the flags it derives (map IPs when
            // an address register is given, proto specified when a port register is); nft sends
            // neither, except "proto specified" for "dnat to addr:port" (not for a map lookup).
            putRegIfSet(b, NFTA_NAT_REG_ADDR_MIN, n.regAddrMin());
            putRegIfSet(b, NFTA_NAT_REG_ADDR_MAX, n.regAddrMax() == n.regAddrMin() ? 0 : n.regAddrMax());
            putRegIfSet(b, NFTA_NAT_REG_PROTO_MIN, n.regProtoMin());
            putRegIfSet(b, NFTA_NAT_REG_PROTO_MAX, n.regProtoMax() == n.regProtoMin() ? 0 : n.regProtoMax());
            int flags = n.flags();
            if (n.regAddrMin() != 0) {
                flags &= ~NF_NAT_RANGE_MAP_IPS;
            }
            boolean addrFromMap = previous instanceof NftExpr.Lookup l && l.dreg() == n.regAddrMin();
            if (n.regProtoMin() != 0 && addrFromMap) {
                flags &= ~NftExpr.Nat.F_PROTO_SPECIFIED;
            }
            if (flags != 0) {
                b.attrU32BigEndian(NFTA_NAT_FLAGS, flags);
            }
        } else if (e instanceof NftExpr.Masq m) {
            if (m.flags() != 0) {
                b.attrU32BigEndian(NFTA_MASQ_FLAGS, m.flags());
            }
        } else if (e instanceof NftExpr.Reject r) {
            b.attrU32BigEndian(NFTA_REJECT_TYPE, r.type()).attrU8(NFTA_REJECT_ICMP_CODE, r.code());
        } else if (e instanceof NftExpr.Fib f) {
            b.attrU32BigEndian(NFTA_FIB_FLAGS, f.flags())
                .attrU32BigEndian(NFTA_FIB_RESULT, f.result())
                .attrU32BigEndian(NFTA_FIB_DREG, f.dreg());
        } else if (e instanceof NftExpr.Dynset d) {
            b.attrU32BigEndian(NFTA_DYNSET_SREG_KEY, d.sregKey()).attrU32BigEndian(NFTA_DYNSET_OP, d.op());
            if (d.timeoutMillis() != 0) {
                b.attr(NFTA_DYNSET_TIMEOUT, be64(d.timeoutMillis()));
            }
            b.attrString(NFTA_DYNSET_SET_NAME, d.set());
            int id = setIds.idOf(d.set());
            if (id != 0) {
                b.attrU32BigEndian(NFTA_DYNSET_SET_ID, id);
            }

        }
        b.endNested().endNested();
    }

    private static void putRegIfSet(NetlinkMessageBuilder b, int attr, int reg) {
        if (reg != 0) {
            b.attrU32BigEndian(attr, reg);
        }
    }

    static byte[] be64(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }

    // ---------------------------------------------------------------------------------- decode

    private static final Set<Integer> PAYLOAD_ATTRS = Set.of(NFTA_PAYLOAD_DREG, NFTA_PAYLOAD_BASE, NFTA_PAYLOAD_OFFSET,
            NFTA_PAYLOAD_LEN);
    private static final Set<Integer> CT_ATTRS = Set.of(NFTA_CT_DREG, NFTA_CT_KEY, NFTA_CT_DIRECTION);
    private static final Set<Integer> BITWISE_ATTRS = Set.of(NFTA_BITWISE_SREG, NFTA_BITWISE_DREG, NFTA_BITWISE_LEN,
            NFTA_BITWISE_MASK, NFTA_BITWISE_XOR, NFTA_BITWISE_OP);
    private static final Set<Integer> DYNSET_ATTRS = Set.of(NFTA_DYNSET_SET_NAME, NFTA_DYNSET_SET_ID, NFTA_DYNSET_OP,
            NFTA_DYNSET_SREG_KEY, NFTA_DYNSET_TIMEOUT, 9 /* NFTA_DYNSET_FLAGS */);

    /** One NFTA_LIST_ELEM of a rule's expressions. Never throws for content: unknown becomes Other. */
    static NftExpr decode(NetlinkAttribute listElem) {
        NetlinkAttributes a = listElem.nested();
        String name = a.require(NFTA_EXPR_NAME, "NFTA_EXPR_NAME").string();
        byte[] raw = a.get(NFTA_EXPR_DATA).map(NetlinkAttribute::value).orElse(new byte[0]);
        NftExpr.Other other = new NftExpr.Other(name, Bytes.of(raw));
        NetlinkAttributes d;
        try {
            d = NetlinkAttributes.parse(raw, 0, raw.length, listElem.order());
        } catch (NetlinkParseException e) {
            return other;
        }
        try {
            NftExpr known = decodeKnown(name, d);
            return known == null ? other : known;
        } catch (NetlinkParseException | IllegalArgumentException e) {
            return other;
        }
    }

    private static NftExpr decodeKnown(String name, NetlinkAttributes d) {
        return switch (name) {
            case "payload" -> onlyAttrs(d, PAYLOAD_ATTRS) ? new NftExpr.Payload(u32(d, NFTA_PAYLOAD_BASE),
                    u32(d, NFTA_PAYLOAD_OFFSET), u32(d, NFTA_PAYLOAD_LEN), u32(d, NFTA_PAYLOAD_DREG)) : null;
            case "meta" -> {
                if (d.get(NFTA_META_SREG).isPresent()) {
                    yield onlyAttrs(d, Set.of(NFTA_META_KEY, NFTA_META_SREG))
                            ? new NftExpr.MetaSet(u32(d, NFTA_META_KEY), u32(d, NFTA_META_SREG)) : null;
                }
                yield onlyAttrs(d, Set.of(NFTA_META_KEY, NFTA_META_DREG))
                        ? new NftExpr.Meta(u32(d, NFTA_META_KEY), u32(d, NFTA_META_DREG)) : null;
            }
            case "ct" -> onlyAttrs(d, CT_ATTRS) ? new NftExpr.Ct(u32(d, NFTA_CT_KEY), u32(d, NFTA_CT_DREG),
                    d.get(NFTA_CT_DIRECTION).map(NetlinkAttribute::u8).orElse(-1)) : null;
            case "cmp" -> onlyAttrs(d, Set.of(NFTA_CMP_SREG, NFTA_CMP_OP, NFTA_CMP_DATA))
                    ? new NftExpr.Cmp(u32(d, NFTA_CMP_SREG), u32(d, NFTA_CMP_OP),
                    NftDataCodec.value(d.require(NFTA_CMP_DATA, "NFTA_CMP_DATA"))) : null;
            case "bitwise" -> {
                int op = d.get(NFTA_BITWISE_OP).map(x -> (int) x.u32BigEndian()).orElse(NFT_BITWISE_BOOL);
                yield onlyAttrs(d, BITWISE_ATTRS) && op == NFT_BITWISE_BOOL
                        ? new NftExpr.Bitwise(u32(d, NFTA_BITWISE_SREG), u32(d, NFTA_BITWISE_DREG),
                        u32(d, NFTA_BITWISE_LEN), NftDataCodec.value(d.require(NFTA_BITWISE_MASK, "mask")),
                        NftDataCodec.value(d.require(NFTA_BITWISE_XOR, "xor"))) : null;
            }
            case "lookup" -> onlyAttrs(d, Set.of(NFTA_LOOKUP_SET, NFTA_LOOKUP_SREG, NFTA_LOOKUP_DREG,
                    NFTA_LOOKUP_SET_ID, NFTA_LOOKUP_FLAGS))
                    ? new NftExpr.Lookup(new NftExpr.Named(d.require(NFTA_LOOKUP_SET, "NFTA_LOOKUP_SET").string()),
                    u32(d, NFTA_LOOKUP_SREG),
                    d.get(NFTA_LOOKUP_DREG).map(x -> (int) x.u32BigEndian()).orElse(NftExpr.Lookup.NO_DREG),
                    d.get(NFTA_LOOKUP_FLAGS).map(x -> (int) x.u32BigEndian()).orElse(0)) : null;
            case "immediate" -> {
                if (!onlyAttrs(d, Set.of(NFTA_IMMEDIATE_DREG, NFTA_IMMEDIATE_DATA))) {
                    yield null;
                }
                int dreg = u32(d, NFTA_IMMEDIATE_DREG);
                NetlinkAttribute data = d.require(NFTA_IMMEDIATE_DATA, "NFTA_IMMEDIATE_DATA");
                NftVerdict v = NftDataCodec.verdictOrNull(data);
                yield v != null ? new NftExpr.Immediate(dreg, v, null)
                        : new NftExpr.Immediate(dreg, null, NftDataCodec.value(data));
            }
            case "numgen" -> onlyAttrs(d, Set.of(NFTA_NG_DREG, NFTA_NG_MODULUS, NFTA_NG_TYPE, NFTA_NG_OFFSET))
                    ? new NftExpr.Numgen(u32(d, NFTA_NG_DREG), u32(d, NFTA_NG_MODULUS), u32(d, NFTA_NG_TYPE),
                    optU32(d, NFTA_NG_OFFSET)) : null;
            case "nat" -> onlyAttrs(d, Set.of(NFTA_NAT_TYPE, NFTA_NAT_FAMILY, NFTA_NAT_REG_ADDR_MIN,
                    NFTA_NAT_REG_ADDR_MAX, NFTA_NAT_REG_PROTO_MIN, NFTA_NAT_REG_PROTO_MAX, NFTA_NAT_FLAGS))
                    ? new NftExpr.Nat(u32(d, NFTA_NAT_TYPE), u32(d, NFTA_NAT_FAMILY), optU32(d, NFTA_NAT_REG_ADDR_MIN),
                    optU32(d, NFTA_NAT_REG_ADDR_MAX), optU32(d, NFTA_NAT_REG_PROTO_MIN),
                    optU32(d, NFTA_NAT_REG_PROTO_MAX), optU32(d, NFTA_NAT_FLAGS)) : null;
            case "masq" -> onlyAttrs(d, Set.of(NFTA_MASQ_FLAGS)) ? new NftExpr.Masq(optU32(d, NFTA_MASQ_FLAGS)) : null;
            case "reject" -> onlyAttrs(d, Set.of(NFTA_REJECT_TYPE, NFTA_REJECT_ICMP_CODE))
                    ? new NftExpr.Reject(u32(d, NFTA_REJECT_TYPE),
                    d.get(NFTA_REJECT_ICMP_CODE).map(NetlinkAttribute::u8).orElse(0)) : null;
            case "fib" -> onlyAttrs(d, Set.of(NFTA_FIB_DREG, NFTA_FIB_RESULT, NFTA_FIB_FLAGS))
                    ? new NftExpr.Fib(u32(d, NFTA_FIB_DREG), u32(d, NFTA_FIB_RESULT), u32(d, NFTA_FIB_FLAGS)) : null;
            case "dynset" -> {
                if (!onlyAttrs(d, DYNSET_ATTRS) || optU32(d, 9) != 0) {
                    yield null;
                }
                long timeout = d.get(NFTA_DYNSET_TIMEOUT).map(NetlinkAttribute::u64BigEndian).orElse(0L);
                yield new NftExpr.Dynset(u32(d, NFTA_DYNSET_OP), u32(d, NFTA_DYNSET_SREG_KEY),
                        d.require(NFTA_DYNSET_SET_NAME, "NFTA_DYNSET_SET_NAME").string(), timeout);
            }
            default -> null;
        };
    }

    /** Whether every attribute present is one the model represents (else the expression is Other). */
    private static boolean onlyAttrs(NetlinkAttributes d, Set<Integer> known) {
        for (NetlinkAttribute x : d.all()) {
            if (!known.contains(x.type())) {
                return false;
            }
        }
        return true;
    }

    private static int u32(NetlinkAttributes d, int type) {
        return (int) d.require(type, "attribute " + type).u32BigEndian();
    }

    private static int optU32(NetlinkAttributes d, int type) {
        return d.get(type).map(x -> (int) x.u32BigEndian()).orElse(0);
    }
}
