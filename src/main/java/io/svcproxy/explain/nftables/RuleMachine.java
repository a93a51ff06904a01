package io.svcproxy.explain.nftables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.Origin;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
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
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftVerdict;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs one rule's kernel expressions against a flow, as nft_do_chain does: loads into registers,
 * comparisons and lookups that end the rule when they fail, statements that rewrite the packet.
 * Registers hold what the kernel would put there (host-order marks and ct bits, network-order
 * addresses and ports), compared byte for byte with the planned or dumped constants. A random
 * number (numgen) forks the run into one branch per value.
 */
final class RuleMachine {
    private static final int CT_STATE_NEW = 0x8;
    private static final int CT_STATUS_DNAT = 0x20;
    private static final int RTN_UNICAST = 1;
    private static final int RTN_LOCAL = 2;
    private static final int RTN_MULTICAST = 5;
    private static final int IFNAMSIZ = 16;
    /** Expressions that only count or log: they never change a match. */
    private static final Set<String> PASSIVE = Set.of("counter", "log", "quota", "limit");

    private final NftTable table;
    private final Packet packet;
    private final NodeFacts node;

    RuleMachine(NftTable table, Packet packet, NodeFacts node) {
        this.table = table;
        this.packet = packet;
        this.node = node;
    }

    /** {@code text}: the rule as nft prints it, kept as the reason when it marks the packet for masquerade. */
    List<RuleRun> run(NftRule rule, String chain, String text, Flow flow) {
        List<RuleRun> out = new ArrayList<>();
        this.text = text;
        this.chain = chain;
        run(rule.exprs(), 0, new Registers(), flow, null, out);
        return out;
    }

    private String text;
    private String chain;

    private void run(List<NftExpr> exprs, int from, Registers regs, Flow flow, String note, List<RuleRun> out) {
        Registers r = regs;
        Flow f = flow;
        String n = note;
        for (int i = from; i < exprs.size(); i++) {
            NftExpr e = exprs.get(i);
            if (e instanceof Payload p) {
                byte[] h = p.base() == Payload.NETWORK_HEADER ? Headers.network(packet, f)
                        : p.base() == Payload.TRANSPORT_HEADER ? Headers.transport(f) : null;
                if (h == null || p.offset() + p.len() > h.length) {
                    out.add(unknown(f, "payload of header " + p.base() + " at " + p.offset()));
                    return;
                }
                if (p.base() == Payload.TRANSPORT_HEADER && Headers.sourcePortUnknown(p.offset(), p.len())) {
                    out.add(unknown(f, "needs the source port"));
                    return;
                }
                r = r.store(p.dreg(), Bytes.of(h, p.offset(), p.len()));
            } else if (e instanceof Meta m) {
                Bytes v = meta(m.key(), f);
                if (v == null) {
                    out.add(unknown(f, m.key() == Meta.IIFNAME ? "needs the input interface (--in-interface)"
                            : m.key() == Meta.OIFNAME ? "needs the output interface (a routing decision)"
                            : "meta key " + m.key() + " is not evaluated"));
                    return;
                }
                r = r.store(m.dreg(), v);
            } else if (e instanceof Ct c) {
                if (c.key() == Ct.STATE) {
                    r = r.store(c.dreg(), Bytes.host32(CT_STATE_NEW));
                } else if (c.key() == Ct.STATUS) {
                    r = r.store(c.dreg(), Bytes.host32(f.dnatted() ? CT_STATUS_DNAT : 0));
                } else {
                    out.add(unknown(f, "ct key " + c.key() + " is not evaluated"));
                    return;
                }
            } else if (e instanceof Fib fib) {
                if (fib.result() != Fib.RESULT_ADDRTYPE
                        || (fib.flags() & ~(Fib.F_SADDR | Fib.F_DADDR)) != 0) {
                    out.add(unknown(f, "fib result " + fib.result() + " flags " + fib.flags() + " is not evaluated"));
                    return;
                }
                InetAddress a = (fib.flags() & Fib.F_SADDR) != 0 ? packet.source() : f.destination();
                int type = node.isLocal(a) ? RTN_LOCAL : a.isMulticastAddress() ? RTN_MULTICAST : RTN_UNICAST;
                r = r.store(fib.dreg(), Bytes.host32(type));
            } else if (e instanceof Bitwise b) {
                byte[] v = r.load(b.sreg(), b.len()).toArray();
                for (int k = 0; k < v.length; k++) {
                    v[k] = (byte) ((v[k] & b.mask().get(k)) ^ b.xor().get(k));
                }
                r = r.store(b.dreg(), Bytes.of(v));
            } else if (e instanceof Cmp c) {
                if (!compare(r.load(c.sreg(), c.data().length()), c.op(), c.data())) {
                    out.add(new RuleRun(RuleRun.Kind.NO_MATCH, null, f, n));
                    return;
                }
            } else if (e instanceof Lookup l) {
                NftSet set = l.set() instanceof NftExpr.Anonymous a ? a.set()
                        : table.sets().get(((NftExpr.Named) l.set()).name());
                if (set == null) {
                    out.add(unknown(f, "lookup in a set the table lacks"));
                    return;
                }
                NftElement hit = find(set, r.load(l.sreg(), set.keyType().length()));
                boolean inverted = (l.flags() & Lookup.F_INV) != 0;
                if (set.isDynamic()) {
                    // runtime state: exact for what the table holds now (none in a plan)
                    n = join(n, hit != null ? "in @" + set.name() + " (an affinity entry the kernel holds now)"
                            : "not in @" + set.name() + " (no affinity entry for this source)");
                }
                if ((hit != null) == inverted) {
                    out.add(new RuleRun(RuleRun.Kind.NO_MATCH, null, f, set.isDynamic() ? n : null));
                    return;
                }
                if (l.dreg() == NftExpr.REG_VERDICT && hit != null) {
                    out.add(verdict(hit.verdict(), f, n));
                    return;
                }
                if (l.dreg() > 0 && hit != null) {
                    r = r.store(l.dreg(), hit.data());
                }
            } else if (e instanceof Numgen g) {
                if (g.type() != Numgen.RANDOM) {
                    out.add(unknown(f, "numgen incremental: depends on earlier packets"));
                    return;
                }
                for (int v = 0; v < g.modulus(); v++) {
                    run(exprs, i + 1, r.store(g.dreg(), Bytes.host32(g.offset() + v)), f.scaled(1.0 / g.modulus()),
                            join(n, String.format(Locale.ROOT, "numgen random: %d of %d, p=%.4f", g.offset() + v,
                                    g.modulus(), 1.0 / g.modulus())), out);
                }
                return;
            } else if (e instanceof Immediate im) {
                if (im.verdict() != null) {
                    out.add(verdict(im.verdict(), f, n));
                    return;
                }
                r = r.store(im.dreg(), im.data());
            } else if (e instanceof MetaSet ms) {
                if (ms.key() != Meta.MARK) {
                    out.add(unknown(f, "meta set key " + ms.key() + " is not evaluated"));
                    return;
                }
                long before = f.mark();
                long after = r.load(ms.sreg(), 4).hostInt(0) & 0xffffffffL;
                f = f.withMark(after);
                n = join(n, String.format("mark 0x%x -> 0x%x", before, after));
                if ((after & ~before) != 0) {
                    f = f.masqueradeReason(NftMasqueradeReasons.marked(chain, text));
                }
            } else if (e instanceof Nat nat) {
                if (nat.type() != Nat.DNAT || nat.regAddrMin() == 0) {
                    out.add(unknown(f, "snat / nat without an address is not evaluated"));
                    return;
                }
                Bytes addr = r.load(nat.regAddrMin(), packet.family() == io.svcproxy.model.IpFamily.V4 ? 4 : 16);
                int port = nat.regProtoMin() == 0 ? f.port() : r.load(nat.regProtoMin(), 2).beInt(0, 2);
                Flow d = f.dnat(address(addr), port);
                out.add(new RuleRun(RuleRun.Kind.VERDICT, NftVerdict.ACCEPT, d, join(n, "DNAT to " + d.endpoint())));
                return;
            } else if (e instanceof Masq) {
                out.add(new RuleRun(RuleRun.Kind.VERDICT, NftVerdict.ACCEPT, f.masquerade(f.masqueradeReason() != null ? f.masqueradeReason() : NftMasqueradeReasons.direct(text)),
                        join(n, "masquerade")));
                return;
            } else if (e instanceof Reject) {
                out.add(new RuleRun(RuleRun.Kind.REJECT, null, f, join(n, "reject")));
                return;
            } else if (e instanceof Dynset d) {
                NftSet set = table.sets().get(d.set());
                long ms = set != null ? set.timeoutMillis() : d.timeoutMillis();
                f = f.withAffinity("sticky for " + ms / 1000 + " s: the source is recorded in the endpoint's affinity set,"
                        + " and later connections from it go to the same endpoint until the entry times out");
                n = join(n, "source recorded in @" + d.set());
            } else if (e instanceof NftExpr.Other o && PASSIVE.contains(o.name())) {
                continue;
            } else {
                out.add(unknown(f, "expression " + e.name() + " is not evaluated"));
                return;
            }
        }
        out.add(new RuleRun(RuleRun.Kind.NEXT, null, f, n));
    }

    private static RuleRun verdict(NftVerdict v, Flow f, String n) {
        if (v.kind() == NftVerdict.Kind.CONTINUE) {
            return new RuleRun(RuleRun.Kind.NEXT, null, f, n);
        }
        if (v.kind() == NftVerdict.Kind.BREAK) {
            return new RuleRun(RuleRun.Kind.NO_MATCH, null, f, n);
        }
        return new RuleRun(RuleRun.Kind.VERDICT, v, f, n);
    }

    private static RuleRun unknown(Flow f, String why) {
        return new RuleRun(RuleRun.Kind.UNKNOWN, null, f, why);
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "; " + b;
    }

    private Bytes meta(int key, Flow f) {
        return switch (key) {
            case Meta.L4PROTO -> Bytes.u8(Headers.proto(packet.protocol()));
            case Meta.MARK -> Bytes.host32((int) f.mark());
            case Meta.IIFNAME -> packet.origin() == Origin.LOCAL ? Bytes.of(new byte[IFNAMSIZ])
                    : packet.inInterface() == null ? null : ifname(packet.inInterface());
            default -> null;
        };
    }

    private static Bytes ifname(String name) {
        byte[] b = new byte[IFNAMSIZ];
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, b, 0, Math.min(n.length, IFNAMSIZ - 1));
        return Bytes.of(b);
    }

    private static boolean compare(Bytes reg, int op, Bytes data) {
        int c = reg.compareTo(data);
        return switch (op) {
            case Cmp.EQ -> c == 0;
            case Cmp.NEQ -> c != 0;
            case Cmp.LT -> c < 0;
            case Cmp.LTE -> c <= 0;
            case Cmp.GT -> c > 0;
            case Cmp.GTE -> c >= 0;
            default -> false;
        };
    }

    /** Exact key, or for an interval set the range [key, data) holding it. */
    private static NftElement find(NftSet set, Bytes key) {
        if ((set.flags() & NftSet.F_INTERVAL) == 0) {
            return set.element(key);
        }
        for (NftElement e : set.elements()) {
            boolean geStart = key.compareTo(e.key()) >= 0;
            boolean ltEnd = e.data() == null ? key.equals(e.key()) : key.compareTo(e.data()) < 0;
            if (geStart && ltEnd) {
                return e;
            }
        }
        return null;
    }

    private static InetAddress address(Bytes b) {
        try {
            return InetAddress.getByAddress(b.toArray());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + b.length(), e);
        }
    }
}
