package io.svcproxy.plan.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr.Bitwise;
import io.svcproxy.nftables.NftExpr.Cmp;
import io.svcproxy.nftables.NftExpr.Ct;
import io.svcproxy.nftables.NftExpr.Dynset;
import io.svcproxy.nftables.NftExpr.Fib;
import io.svcproxy.nftables.NftExpr.Immediate;
import io.svcproxy.nftables.NftExpr.Lookup;
import io.svcproxy.nftables.NftExpr.Masq;
import io.svcproxy.nftables.NftExpr.Meta;
import io.svcproxy.nftables.NftExpr.MetaSet;
import io.svcproxy.nftables.NftExpr.Nat;
import io.svcproxy.nftables.NftExpr.Numgen;
import io.svcproxy.nftables.NftExpr.Payload;
import io.svcproxy.nftables.NftExpr.Reject;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decompiles one rule's kernel expressions into the nft text nft 1.0.6 prints for it. It knows the
 * shapes kube-proxy's rules compile to (loads into registers, then a cmp/lookup/nat/... consuming
 * them) and nothing more: any other shape is rendered as a "# unrenderable: ..." line, never guessed.
 */
final class NftRuleText {
    private final NftFamily family;
    private final boolean loadable;

    NftRuleText(NftFamily family) {
        this(family, false);
    }

    /**
     * @param loadable write {@code nft -f} input rather than what {@code nft list} prints: the two
     *                 differ where nft would compile the listed text into other expressions
     */
    NftRuleText(NftFamily family, boolean loadable) {
        this.family = family;
        this.loadable = loadable;
    }

    /** A value in a register: its text and what it is, so constants compared with it print in its type. */
    private record Sym(String text, NftType type, Payload payload, Bytes mask, String kind) {
        /** An immediate's data (kept where a mask would be: a data register has none). */
        Bytes data() {
            return mask;
        }
    }

    private static final class Unrenderable extends RuntimeException {
        Unrenderable(String why) {
            super(why, null, false, false);
        }
    }

    String render(NftRule rule) {
        try {
            String text = statements(rule.exprs());
            if (rule.comment() != null) {
                text += " comment " + NftValueText.quoted(rule.comment());
            }
            return text;
        } catch (Unrenderable | IllegalArgumentException e) {
            return "# unrenderable: " + rule.exprs().stream().map(NftExpr::name).collect(Collectors.joining(" "))
                    + " (" + e.getMessage() + ")";
        }
    }

    private String statements(List<NftExpr> exprs) {
        List<String> out = new ArrayList<>();
        Map<Integer, Sym> regs = new LinkedHashMap<>();
        for (int i = 0; i < exprs.size(); i++) {
            NftExpr e = exprs.get(i);
            if (e instanceof Payload p) {
                load(regs, p.dreg(), payload(p));
            } else if (e instanceof Meta m) {
                load(regs, m.dreg(), meta(m));
            } else if (e instanceof Ct c) {
                load(regs, c.dreg(), ct(c));
            } else if (e instanceof Fib f) {
                if (f.result() != Fib.RESULT_ADDRTYPE) {
                    throw new Unrenderable("fib result " + f.result());
                }
                String key = (f.flags() & Fib.F_SADDR) != 0 ? "saddr" : (f.flags() & Fib.F_DADDR) != 0 ? "daddr" : null;
                if (key == null || (f.flags() & ~(Fib.F_SADDR | Fib.F_DADDR)) != 0) {
                    throw new Unrenderable("fib flags " + f.flags());
                }
                load(regs, f.dreg(), new Sym("fib " + key + " type", null, null, null, "fibtype"));
            } else if (e instanceof Numgen n) {
                if (n.type() != Numgen.RANDOM || n.offset() != 0) {
                    throw new Unrenderable("numgen type " + n.type() + " offset " + n.offset());
                }
                load(regs, n.dreg(), new Sym("numgen random mod " + n.modulus(), NftType.INTEGER, null, null, "numgen"));
            } else if (e instanceof Bitwise b) {
                regs.put(b.dreg(), bitwise(take(regs, b.sreg()), b));
            } else if (e instanceof Cmp c) {
                out.add(cmp(take(regs, c.sreg()), c));
            } else if (e instanceof Lookup l) {
                String text = lookup(regs, l);
                if (l.dreg() > 0) {
                    regs.put(l.dreg(), new Sym(text, null, null, null, "map"));
                } else {
                    out.add(text);
                }
            } else if (e instanceof MetaSet ms) {
                if (ms.key() != Meta.MARK) {
                    throw new Unrenderable("meta set key " + ms.key());
                }
                out.add("meta mark set " + take(regs, ms.sreg()).text());
            } else if (e instanceof Immediate im) {
                if (im.verdict() != null) {
                    out.add(im.verdict().text());
                } else {
                    regs.put(im.dreg(), new Sym(null, null, null, im.data(), "data"));
                }
            } else if (e instanceof Nat n) {
                out.add(nat(regs, n));
            } else if (e instanceof Masq m) {
                out.add(m.flags() == Masq.FULLY_RANDOM ? "masquerade fully-random"
                        : m.flags() == 0 ? "masquerade" : unrenderable("masq flags " + m.flags()));
            } else if (e instanceof Reject r) {
                int expected = family == NftFamily.IP ? NftRules.ICMP_PORT_UNREACH : NftRules.ICMPV6_PORT_UNREACH;
                if (r.type() != NftRules.REJECT_ICMP_UNREACH || r.code() != expected) {
                    throw new Unrenderable("reject type " + r.type() + " code " + r.code());
                }
                out.add("reject");
            } else if (e instanceof Dynset d) {
                if (d.op() != Dynset.UPDATE || d.timeoutMillis() != 0) {
                    throw new Unrenderable("dynset op " + d.op());
                }
                out.add("update @" + d.set() + " { " + take(regs, d.sregKey()).text() + " }");
            } else {
                throw new Unrenderable("expression " + e.name());
            }
        }
        if (!regs.isEmpty()) {
            throw new Unrenderable("unused register load");
        }
        return String.join(" ", out);
    }

    private static String unrenderable(String why) {
        throw new Unrenderable(why);
    }

    private static void load(Map<Integer, Sym> regs, int reg, Sym s) {
        if (reg == NftExpr.REG_VERDICT) {
            throw new Unrenderable("load into the verdict register");
        }
        regs.remove(reg);
        regs.put(reg, s);
    }

    private static Sym take(Map<Integer, Sym> regs, int reg) {
        Sym s = regs.remove(reg);
        if (s == null) {
            throw new Unrenderable("register " + reg + " read before it is loaded");
        }
        return s;
    }

    private String ipKeyword() {
        return family.keyword();
    }

    private int addrLen() {
        return family == NftFamily.IP ? 4 : 16;
    }

    private Sym payload(Payload p) {
        int al = addrLen();
        int saddr = family == NftFamily.IP ? 12 : 8;
        int daddr = family == NftFamily.IP ? 16 : 24;
        NftType addrType = family == NftFamily.IP ? NftType.IPV4_ADDR : NftType.IPV6_ADDR;
        if (p.base() == Payload.NETWORK_HEADER && (p.offset() == saddr || p.offset() == daddr) && p.len() <= al) {
            return new Sym(ipKeyword() + (p.offset() == saddr ? " saddr" : " daddr"), addrType, p, null, "addr");
        }
        if (p.base() == Payload.TRANSPORT_HEADER && p.offset() == 2 && p.len() == 2) {
            return new Sym("th dport", NftType.INET_SERVICE, p, null, "port");
        }
        throw new Unrenderable("payload base " + p.base() + " offset " + p.offset() + " len " + p.len());
    }

    private static Sym meta(Meta m) {
        return switch (m.key()) {
            case Meta.L4PROTO -> new Sym("meta l4proto", NftType.INET_PROTO, null, null, "l4proto");
            case Meta.MARK -> new Sym("meta mark", NftType.MARK, null, null, "mark");
            case Meta.IIFNAME -> new Sym("iifname", null, null, null, "ifname");
            default -> throw new Unrenderable("meta key " + m.key());
        };
    }

    private static Sym ct(Ct c) {
        if (c.direction() != -1) {
            throw new Unrenderable("ct direction " + c.direction());
        }
        return switch (c.key()) {
            case Ct.STATE -> new Sym("ct state", null, null, null, "ctstate");
            case Ct.STATUS -> new Sym("ct status", null, null, null, "ctstatus");
            default -> throw new Unrenderable("ct key " + c.key());
        };
    }

    private Sym bitwise(Sym in, Bitwise b) {
        if (b.len() == 4 && (in.kind().equals("mark") || in.kind().startsWith("ct"))) {
            int mask = b.mask().hostInt(0);
            int xor = b.xor().hostInt(0);
            if (in.kind().equals("mark") && xor == 0) {
                return new Sym(String.format("meta mark & 0x%08x", mask), NftType.MARK, null, b.mask(), "markand");
            }
            if (in.kind().equals("mark") && mask == ~xor) {
                return new Sym(String.format("meta mark | 0x%08x", xor), NftType.MARK, null, null, "markexpr");
            }
            if (in.kind().equals("mark") && mask == 0xffffffff) {
                return new Sym(String.format("meta mark ^ 0x%08x", xor), NftType.MARK, null, null, "markexpr");
            }
            if (xor == 0 && in.kind().startsWith("ct")) {
                return new Sym(in.text(), null, null, b.mask(), in.kind() + "bits");
            }
        }
        if (in.kind().equals("addr") && b.len() == in.payload().len() && isZero(b.xor())) {
            return new Sym(in.text(), in.type(), in.payload(), b.mask(), "addrmask");
        }
        throw new Unrenderable("bitwise on " + in.text());
    }

    private String cmp(Sym lhs, Cmp c) {
        String op = switch (c.op()) {
            case Cmp.EQ -> "";
            case Cmp.NEQ -> "!= ";
            default -> throw new Unrenderable("cmp op " + c.op());
        };
        Bytes d = c.data();
        switch (lhs.kind()) {
            case "addr" -> {
                int full = addrLen();
                int len = lhs.payload().len();
                if (d.length() != len) {
                    throw new Unrenderable("cmp length");
                }
                if (len == full) {
                    return lhs.text() + " " + op + NftValueText.address(d);
                }
                byte[] net = new byte[full];
                System.arraycopy(d.toArray(), 0, net, 0, len);
                return lhs.text() + " " + op + NftValueText.address(Bytes.of(net)) + "/" + (len * 8);
            }
            case "addrmask" -> {
                int prefix = prefixOf(lhs.mask());
                return lhs.text() + " " + op + NftValueText.address(d) + "/" + prefix;
            }
            case "port" -> {
                return lhs.text() + " " + op + d.beInt(0, 2);
            }
            case "l4proto" -> {
                return lhs.text() + " " + op + NftValueText.protocol(d.beInt(0, 1));
            }
            case "markand" -> {
                return lhs.text() + " " + op + String.format("0x%08x", d.hostInt(0));
            }
            case "ctstatebits", "ctstatusbits" -> {
                if (c.op() != Cmp.NEQ || d.hostInt(0) != 0) {
                    throw new Unrenderable("ct bits cmp");
                }
                int mask = lhs.mask().hostInt(0);
                String name = lhs.kind().equals("ctstatebits") ? ctState(mask) : ctStatus(mask);
                return lhs.text() + " " + name;
            }
            case "fibtype" -> {
                if (d.hostInt(0) != NftRules.RTN_LOCAL) {
                    throw new Unrenderable("fib type " + d.hostInt(0));
                }
                return lhs.text() + " " + op + "local";
            }
            case "ifname" -> {
                return lhs.text() + " " + op + ifname(d);
            }
            default -> throw new Unrenderable("cmp on " + lhs.text());
        }
    }

    private static String ctState(int mask) {
        if (mask == NftRules.CT_STATE_NEW) {
            return "new";
        }
        throw new Unrenderable("ct state bits " + mask);
    }

    private static String ctStatus(int mask) {
        if (mask == NftRules.CT_STATUS_DNAT) {
            return "dnat";
        }
        throw new Unrenderable("ct status bits " + mask);
    }

    /** Exact names are compared NUL-padded to IFNAMSIZ; shorter data is a prefix ("veth*"). */
    private static String ifname(Bytes d) {
        byte[] raw = d.toArray();
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        String name = new String(raw, 0, n, StandardCharsets.US_ASCII);
        boolean exact = raw.length == NftRules.IFNAMSIZ;
        for (int i = n; i < raw.length; i++) {
            if (raw[i] != 0) {
                throw new Unrenderable("interface name with a NUL inside");
            }
        }
        return NftValueText.quoted(exact ? name : name + "*");
    }

    private static int prefixOf(Bytes mask) {
        int bits = 0;
        boolean ended = false;
        for (int i = 0; i < mask.length(); i++) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean set = ((mask.get(i) >> bit) & 1) != 0;
                if (set && ended) {
                    throw new Unrenderable("non-prefix mask " + mask);
                }
                if (set) {
                    bits++;
                } else {
                    ended = true;
                }
            }
        }
        return bits;
    }

    private static boolean isZero(Bytes b) {
        for (int i = 0; i < b.length(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The key: every register loaded from sreg on, in load order, joined as a concatenation. */
    private String lookup(Map<Integer, Sym> regs, Lookup l) {
        List<Integer> keyRegs = new ArrayList<>();
        boolean from = false;
        for (Integer r : regs.keySet()) {
            from |= r == l.sreg();
            if (from) {
                keyRegs.add(r);
            }
        }
        if (keyRegs.isEmpty()) {
            throw new Unrenderable("lookup of an unloaded register");
        }
        List<String> parts = new ArrayList<>();
        for (Integer r : keyRegs) {
            parts.add(take(regs, r).text());
        }
        String key = String.join(" . ", parts);
        boolean inv = (l.flags() & Lookup.F_INV) != 0;
        if ((l.flags() & ~Lookup.F_INV) != 0) {
            throw new Unrenderable("lookup flags " + l.flags());
        }
        String target;
        if (l.set() instanceof NftExpr.Named n) {
            target = "@" + n.name();
        } else {
            target = anonymous(((NftExpr.Anonymous) l.set()).set());
        }
        if (l.dreg() == NftExpr.REG_VERDICT) {
            return key + " " + (inv ? "!= " : "") + "vmap " + target;
        }
        if (l.dreg() > 0) {
            if (inv) {
                throw new Unrenderable("inverted map lookup");
            }
            return key + " map " + target;
        }
        return key + " " + (inv ? "!= " : "") + target;
    }

    /** { 0 : goto a, 1 : goto b } / { 0 : 10.0.0.1 . 80 } / { 10.0.0.0/8, 192.168.0.0/16 }. */
    private String anonymous(NftSet s) {
        List<NftElement> els = new ArrayList<>(s.elements());
        if (!s.keyType().concatenated() && s.keyType().fields().get(0) == NftType.INTEGER) {
            els.sort(Comparator.comparingLong(e -> Integer.toUnsignedLong(e.key().hostInt(0))));
        }
        List<String> items = new ArrayList<>();
        for (NftElement e : els) {
            items.add(NftText.element(s, e));
        }
        // nft turns a one-element set it parses into a plain match; the kernel can still hold one (nft
        // merged overlapping ranges into it). Written twice, nft keeps it a set lookup.
        if (loadable && items.size() == 1 && (s.flags() & NftSet.F_INTERVAL) != 0) {
            items.add(items.get(0));
        }
        return "{ " + String.join(", ", items) + " }";
    }

    private String nat(Map<Integer, Sym> regs, Nat n) {
        if (n.type() != Nat.DNAT || n.regAddrMin() != n.regAddrMax() || n.regProtoMin() != n.regProtoMax()
                || n.flags() != NftRules.NAT_ADDR_AND_PORT || n.family() != family.nfproto()) {
            throw new Unrenderable("nat shape");
        }
        Sym addr = take(regs, n.regAddrMin());
        if (addr.kind().equals("map")) {
            // The map's data (addr . port) fills both registers; nft prints the map once.
            return "dnat " + ipKeyword() + " to " + addr.text();
        }
        Sym port = take(regs, n.regProtoMin());
        if (addr.kind().equals("data") && port.kind().equals("data")) {
            String ip = NftValueText.address(addr.data());
            int p = port.data().beInt(0, 2);
            return "dnat to " + (family == NftFamily.IP ? ip : "[" + ip + "]") + ":" + p;
        }
        throw new Unrenderable("nat registers");
    }
}
