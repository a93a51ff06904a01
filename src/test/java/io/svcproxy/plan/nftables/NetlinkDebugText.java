package io.svcproxy.plan.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftVerdict;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Our expressions printed the way `nft --debug=netlink` (libnftnl) prints what it sends the kernel,
 * so planned rules can be compared line for line with a real nft's compilation of kube-proxy's rule
 * texts. Data words print as host-order 32-bit hex, as libnftnl does on this (little-endian) host.
 * Anonymous sets print inline as their element lines, sorted (the kernel's "__mapN" names are not ours).
 */
final class NetlinkDebugText {
    private NetlinkDebugText() {
    }

    static List<String> rule(NftRule r) {
        List<String> out = new ArrayList<>();
        for (NftExpr e : r.exprs()) {
            out.add("[ " + expr(e) + " ]");
        }
        if (r.comment() != null) {
            out.add("userdata = { " + userdataComment(r.comment()) + " }");
        }
        return out;
    }

    static String userdataComment(String comment) {
        byte[] text = comment.getBytes(StandardCharsets.UTF_8);
        byte[] tlv = new byte[text.length + 3];
        tlv[0] = 0;
        tlv[1] = (byte) (text.length + 1);
        System.arraycopy(text, 0, tlv, 2, text.length);
        StringBuilder sb = new StringBuilder();
        for (byte b : tlv) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    static String words(Bytes b, String prefix) {
        byte[] raw = b.toArray();
        int n = (raw.length + 3) / 4;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = 0;
            for (int j = 3; j >= 0; j--) {
                int at = i * 4 + j;
                v = (v << 8) | (at < raw.length ? raw[at] & 0xff : 0);
            }
            out.add(prefix + String.format("%08x", v));
        }
        return String.join(" ", out);
    }

    static String element(NftElement e, boolean anonymousOrMap) {
        StringBuilder sb = new StringBuilder("element ").append(words(e.key(), "")).append("  : ");
        if (e.verdict() != null) {
            sb.append(verdict(e.verdict())).append(' ');
        } else if (e.data() != null) {
            sb.append(words(e.data(), "")).append(' ');
        }
        sb.append("0 [end]");
        if (e.comment() != null) {
            sb.append("  userdata = { ").append(userdataComment(e.comment())).append(" }");
        }
        return sb.toString();
    }

    /**
     * An interval set as the kernel holds it: a start element (flags 0) and an end element (flags 1,
     * the first address past the range) per range, plus an end element at 0 when no range starts there.
     */
    static List<String> intervalElements(NftSet s) {
        List<String> out = new ArrayList<>();
        boolean startsAtZero = false;
        for (NftElement e : s.elements()) {
            out.add("element " + words(e.key(), "") + "  : 0 [end]");
            out.add("element " + words(e.data(), "") + "  : 1 [end]");
            startsAtZero |= isZero(e.key());
        }
        if (!startsAtZero) {
            out.add("element " + words(Bytes.of(new byte[s.keyType().length()]), "") + "  : 1 [end]");
        }
        return out;
    }

    private static boolean isZero(Bytes b) {
        for (int i = 0; i < b.length(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    static String verdict(NftVerdict v) {
        return v.chain() == null ? v.kind().name().toLowerCase() : v.kind().name().toLowerCase() + " -> " + v.chain();
    }

    private static String base(int b) {
        return switch (b) {
            case NftExpr.Payload.LL_HEADER -> "link layer header";
            case NftExpr.Payload.NETWORK_HEADER -> "network header";
            default -> "transport header";
        };
    }

    private static String metaKey(int k) {
        return switch (k) {
            case NftExpr.Meta.MARK -> "mark";
            case NftExpr.Meta.L4PROTO -> "l4proto";
            case NftExpr.Meta.IIFNAME -> "iifname";
            default -> "meta" + k;
        };
    }

    private static String set(NftExpr.SetRef ref) {
        if (ref instanceof NftExpr.Named n) {
            return n.name();
        }
        NftSet s = ((NftExpr.Anonymous) ref).set();
        List<String> els = new ArrayList<>();
        if ((s.flags() & NftSet.F_INTERVAL) != 0) {
            els.addAll(intervalElements(s));
        } else {
            for (NftElement e : s.elements()) {
                els.add(element(e, true));
            }
        }
        els.sort(null);
        return "{" + String.join("; ", els) + "}";
    }

    static String expr(NftExpr e) {
        if (e instanceof NftExpr.Payload p) {
            return "payload load " + p.len() + "b @ " + base(p.base()) + " + " + p.offset() + " => reg " + p.dreg();
        } else if (e instanceof NftExpr.Meta m) {
            return "meta load " + metaKey(m.key()) + " => reg " + m.dreg();
        } else if (e instanceof NftExpr.MetaSet m) {
            return "meta set " + metaKey(m.key()) + " with reg " + m.sreg();
        } else if (e instanceof NftExpr.Ct c) {
            return "ct load " + (c.key() == NftExpr.Ct.STATE ? "state" : "status") + " => reg " + c.dreg();
        } else if (e instanceof NftExpr.Cmp c) {
            String op = switch (c.op()) {
                case NftExpr.Cmp.EQ -> "eq";
                case NftExpr.Cmp.NEQ -> "neq";
                default -> "op" + c.op();
            };
            return "cmp " + op + " reg " + c.sreg() + " " + words(c.data(), "0x");
        } else if (e instanceof NftExpr.Bitwise b) {
            return "bitwise reg " + b.dreg() + " = ( reg " + b.sreg() + " & " + words(b.mask(), "0x") + " ) ^ "
                    + words(b.xor(), "0x");
        } else if (e instanceof NftExpr.Lookup l) {
            return "lookup reg " + l.sreg() + " set " + set(l.set()) + (l.dreg() >= 0 ? " dreg " + l.dreg() : "")
                    + " 0x" + Integer.toHexString(l.flags());
        } else if (e instanceof NftExpr.Immediate i) {
            return i.verdict() != null ? "immediate reg 0 " + verdict(i.verdict())
                    : "immediate reg " + i.dreg() + " " + words(i.data(), "0x");
        } else if (e instanceof NftExpr.Numgen n) {
            return "numgen reg " + n.dreg() + " = " + (n.type() == NftExpr.Numgen.RANDOM ? "random" : "inc")
                    + " mod " + n.modulus() + (n.offset() != 0 ? " offset " + n.offset() : "");
        } else if (e instanceof NftExpr.Nat n) {
            return "nat " + (n.type() == NftExpr.Nat.DNAT ? "dnat" : "snat") + " " + (n.family() == 2 ? "ip" : "ip6")
                    + " addr_min reg " + n.regAddrMin() + " addr_max reg " + n.regAddrMax()
                    + " proto_min reg " + n.regProtoMin() + " proto_max reg " + n.regProtoMax()
                    + " flags 0x" + Integer.toHexString(n.flags());
        } else if (e instanceof NftExpr.Masq m) {
            return "masq flags 0x" + Integer.toHexString(m.flags());
        } else if (e instanceof NftExpr.Reject r) {
            return "reject type " + r.type() + " code " + r.code();
        } else if (e instanceof NftExpr.Fib f) {
            return "fib " + ((f.flags() & NftExpr.Fib.F_SADDR) != 0 ? "saddr" : "daddr") + " type => reg " + f.dreg();
        } else if (e instanceof NftExpr.Dynset d) {
            return "dynset " + (d.op() == NftExpr.Dynset.UPDATE ? "update" : "add") + " reg_key " + d.sregKey()
                    + " set " + d.set() + " timeout " + d.timeoutMillis() + "ms";
        }
        return e.name() + " ?";
    }
}
