package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.svcproxy.netlink.nftables.NftConstants.*;

/**
 * Turns a list of {@link NftOp}s into one nfnetlink batch: BATCH_BEGIN, the nf_tables messages,
 * BATCH_END, remembering which op each message belongs to so a kernel error can name it. Messages
 * carry the attributes, order and flags nft 1.0.6 sends for the same objects (checked against
 * recordings of nft), plus NLM_F_ACK when asked. Sets get batch-local ids as in nft (1, 2, ...),
 * so later messages of the batch refer to sets created in it by id as well as by name; an
 * anonymous set of a rule is sent just before it, as NEWSET "__set%d"/"__map%d" and NEWSETELEM.
 */
final class NftBatchEncoder {
    /** Element nests are cut so an NFTA_SET_ELEM_LIST_ELEMENTS attribute stays far below 64 KiB. */
    static final int MAX_ELEMENTS_BYTES = 48 * 1024;

    /** The batch: messages in send order and, per message, the index of its op (-1: the frame). */
    record Batch(List<NetlinkMessageBuilder> messages, List<Integer> opIndex) {
    }

    private final ByteOrder order;
    private final boolean ack;
    private final List<NetlinkMessageBuilder> messages = new ArrayList<>();
    private final List<Integer> opIndex = new ArrayList<>();
    private final Map<String, Integer> setIds = new HashMap<>();
    private int nextSetId = 1;
    private int currentOp = -1;

    private NftBatchEncoder(ByteOrder order, boolean ack) {
        this.order = order;
        this.ack = ack;
    }

    static Batch encode(List<NftOp> ops, boolean ack, ByteOrder order) {
        NftBatchEncoder e = new NftBatchEncoder(order, ack);
        e.frame(NetlinkConstants.NFNL_MSG_BATCH_BEGIN);
        for (int i = 0; i < ops.size(); i++) {
            e.currentOp = i;
            e.op(ops.get(i));
        }
        e.currentOp = -1;
        e.frame(NetlinkConstants.NFNL_MSG_BATCH_END);
        return new Batch(List.copyOf(e.messages), List.copyOf(e.opIndex));
    }

    private void frame(int type) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(type, NetlinkConstants.NLM_F_REQUEST, order)
                .nfgenmsg(NetlinkConstants.AF_UNSPEC, NetlinkConstants.NFNETLINK_V0, NetlinkConstants.NFNL_SUBSYS_NFTABLES);
        messages.add(b);
        opIndex.add(-1);
    }

    private NetlinkMessageBuilder message(int nftMsg, int flags, NftFamily family) {
        int f = NetlinkConstants.NLM_F_REQUEST | flags | (ack ? NetlinkConstants.NLM_F_ACK : 0);
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(
                NetlinkConstants.nfnlMessageType(NetlinkConstants.NFNL_SUBSYS_NFTABLES, nftMsg), f, order)
                .nfgenmsg(family.nfproto(), NetlinkConstants.NFNETLINK_V0, 0);
        messages.add(b);
        opIndex.add(currentOp);
        return b;
    }

    private void op(NftOp op) {
        if (op instanceof NftOp.AddTable t) {
            // As nft: no NLM_F_CREATE needed (the kernel creates a missing table), no EXCL (an
            // existing one is fine).
            NetlinkMessageBuilder b = message(NFT_MSG_NEWTABLE, 0, t.family())
                    .attrString(NFTA_TABLE_NAME, t.table()).attrU32BigEndian(NFTA_TABLE_FLAGS, 0);
            byte[] udata = NftUserdata.commentOnly(UDATA_TABLE_COMMENT, t.comment());
            if (udata != null) {
                b.attr(NFTA_TABLE_USERDATA, udata);
            }
        } else if (op instanceof NftOp.DeleteTable t) {
            message(NFT_MSG_DELTABLE, 0, t.family()).attrString(NFTA_TABLE_NAME, t.table());
        } else if (op instanceof NftOp.AddChain c) {
            addChain(c);
        } else if (op instanceof NftOp.FlushChain c) {
            message(NFT_MSG_DELRULE, 0, c.family()).attrString(NFTA_RULE_TABLE, c.table())
                    .attrString(NFTA_RULE_CHAIN, c.chain());
        } else if (op instanceof NftOp.DeleteChain c) {
            message(NFT_MSG_DELCHAIN, 0, c.family()).attrString(NFTA_CHAIN_TABLE, c.table())
                    .attrString(NFTA_CHAIN_NAME, c.chain());
        } else if (op instanceof NftOp.AddRule r) {
            addRule(r.family(), r.table(), r.chain(), r.rule());
        } else if (op instanceof NftOp.AddSet s) {
            int id = addSet(s.family(), s.table(), s.set(), s.set().name(), null, 0);
            setIds.put(s.set().name(), id);
        } else if (op instanceof NftOp.DeleteSet s) {
            message(NFT_MSG_DELSET, 0, s.family()).attrString(NFTA_SET_TABLE, s.table())
                    .attrString(NFTA_SET_NAME, s.set());
            setIds.remove(s.set());
        } else if (op instanceof NftOp.AddElements e) {
            elements(NFT_MSG_NEWSETELEM, NetlinkConstants.NLM_F_CREATE, e.family(), e.table(), e.set(),
                    setIds.getOrDefault(e.set(), 0), wire(e.elements()), true);
        } else if (op instanceof NftOp.DeleteElements e) {
            elements(NFT_MSG_DELSETELEM, 0, e.family(), e.table(), e.set(), 0, wire(e.elements()), false);
        } else {
            throw new IllegalArgumentException("unknown op " + op);
        }
    }

    private void addChain(NftOp.AddChain op) {
        NftChain c = op.chain();
        NetlinkMessageBuilder b = message(NFT_MSG_NEWCHAIN, NetlinkConstants.NLM_F_CREATE, op.family())
                .attrString(NFTA_CHAIN_TABLE, op.table()).attrString(NFTA_CHAIN_NAME, c.name());
        if (c.base() != null) {
            b.attrString(NFTA_CHAIN_TYPE, c.base().type())
                    .attrU32BigEndian(NFTA_CHAIN_POLICY, c.base().policy().kind().code())
                    .beginNested(NFTA_CHAIN_HOOK)
                    .attrU32BigEndian(NFTA_HOOK_HOOKNUM, c.base().hook())
                    .attrU32BigEndian(NFTA_HOOK_PRIORITY, c.base().priority())
                    .endNested();
        }
        byte[] udata = NftUserdata.commentOnly(UDATA_CHAIN_COMMENT, c.comment());
        if (udata != null) {
            b.attr(NFTA_CHAIN_USERDATA, udata);
        }
    }

    private void addRule(NftFamily family, String table, String chain, NftRule rule) {
        List<NftExpr> exprs = rule.exprs();
        // Anonymous sets first: the rule's lookups refer to them by the id they get here.
        String[] anonName = new String[exprs.size()];
        int[] anonId = new int[exprs.size()];
        for (int i = 0; i < exprs.size(); i++) {
            if (exprs.get(i) instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Anonymous a) {
                NftSet s = a.set();
                String name = (s.isMap() ? "__map" : "__set") + "%d";
                anonName[i] = name;
                anonId[i] = addSet(family, table, s, name, keyLoader(exprs, i, l.sreg()), wire(s).size());
                elements(NFT_MSG_NEWSETELEM, NetlinkConstants.NLM_F_CREATE, family, table, name, anonId[i],
                        wire(s), true);
            }
        }
        NetlinkMessageBuilder b = message(NFT_MSG_NEWRULE, NetlinkConstants.NLM_F_CREATE | NetlinkConstants.NLM_F_APPEND,
                family).attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, chain);
        b.beginNested(NFTA_RULE_EXPRESSIONS);
        for (int i = 0; i < exprs.size(); i++) {
            NftExprCodec.encode(b, exprs.get(i), i == 0 ? null : exprs.get(i - 1), anonName[i], anonId[i],
                    name -> setIds.getOrDefault(name, 0));
        }
        b.endNested();
        byte[] udata = NftUserdata.commentOnly(UDATA_RULE_COMMENT, rule.comment());
        if (udata != null) {
            b.attr(NFTA_RULE_USERDATA, udata);
        }
    }

    /** The expression before {@code at} that loaded register {@code reg}, if it is the one just before. */
    private static NftExpr keyLoader(List<NftExpr> exprs, int at, int reg) {
        if (at == 0) {
            return null;
        }
        NftExpr prev = exprs.get(at - 1);
        return prev instanceof NftExpr.Payload p && p.dreg() == reg ? p : null;
    }

    /** NEWSET; returns the batch-local set id it was given. */
    private int addSet(NftFamily family, String table, NftSet s, String name, NftExpr keyLoad, int anonymousSize) {
        int id = nextSetId++;
        NetlinkMessageBuilder b = message(NFT_MSG_NEWSET, NetlinkConstants.NLM_F_CREATE, family)
                .attrString(NFTA_SET_TABLE, table).attrString(NFTA_SET_NAME, name)
                .attrU32BigEndian(NFTA_SET_FLAGS, s.flags())
                .attrU32BigEndian(NFTA_SET_KEY_TYPE, s.keyType().typeId())
                .attrU32BigEndian(NFTA_SET_KEY_LEN, s.keyType().length());
        if (s.isMap()) {
            if (s.isVerdictMap()) {
                b.attrU32BigEndian(NFTA_SET_DATA_TYPE, NFT_DATA_VERDICT).attrU32BigEndian(NFTA_SET_DATA_LEN, 0);
            } else {
                b.attrU32BigEndian(NFTA_SET_DATA_TYPE, s.dataType().typeId())
                        .attrU32BigEndian(NFTA_SET_DATA_LEN, s.dataType().length());
            }
        }
        b.attrU32BigEndian(NFTA_SET_ID, id);
        // nft sizes an anonymous set by its elements; a named one only when asked to.
        int size = s.isAnonymous() && s.size() == 0 ? anonymousSize : s.size();
        if (size != 0) {
            b.beginNested(NFTA_SET_DESC).attrU32BigEndian(NFTA_SET_DESC_SIZE, size).endNested();
        }
        if (s.timeoutMillis() != 0) {
            b.attr(NFTA_SET_TIMEOUT, NftExprCodec.be64(s.timeoutMillis()));
        }
        b.attr(NFTA_SET_USERDATA, NftSetUserdata.build(family, s, keyLoad));
        return id;
    }

    /** An element as sent: the model's element and its NFT_SET_ELEM_* flags. */
    private record Wire(NftElement element, int flags) {
    }

    private static List<Wire> wire(List<NftElement> elements) {
        List<Wire> out = new ArrayList<>(elements.size());
        for (NftElement e : elements) {
            out.add(new Wire(e, 0));
        }
        return out;
    }

    /** An anonymous set's elements; interval sets as the kernel's start and end elements. */
    private static List<Wire> wire(NftSet s) {
        if ((s.flags() & NftSet.F_INTERVAL) == 0 || s.isMap()) {
            return wire(s.elements());
        }
        List<Wire> out = new ArrayList<>();
        for (NftIntervals.KernelElement k : NftIntervals.toKernel(s.elements())) {
            out.add(new Wire(NftElement.key(k.key()), k.end() ? NFT_SET_ELEM_INTERVAL_END : 0));
        }
        return out;
    }

    /** NEWSETELEM / DELSETELEM, as many messages as the elements need (same op for all). */
    private void elements(int nftMsg, int flags, NftFamily family, String table, String set, int setId,
                          List<Wire> elements, boolean withValues) {
        if (elements.isEmpty()) {
            return;
        }
        int i = 0;
        while (i < elements.size()) {
            NetlinkMessageBuilder b = message(nftMsg, flags, family)
                    .attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, set);
            if (setId != 0) {
                b.attrU32BigEndian(NFTA_SET_ELEM_LIST_SET_ID, setId);
            }
            b.beginNested(NFTA_SET_ELEM_LIST_ELEMENTS);
            int bytes = 0;
            int inMessage = 0;
            while (i < elements.size()) {
                byte[] one = element(elements.get(i), withValues);
                if (bytes > 0 && bytes + one.length + 4 > MAX_ELEMENTS_BYTES) {
                    break;
                }
                // libnftnl numbers the element nests 1, 2, ... (the kernel reads any type there).
                b.rawNested(++inMessage, one);
                bytes += one.length + 4;
                i++;
            }
            b.endNested();
        }
    }

    /** One element's attributes (the inside of its NFTA_LIST_ELEM). */
    private byte[] element(Wire w, boolean withValues) {
        NftElement e = w.element();
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(0, 0, order);
        if (w.flags() != 0) {
            b.attrU32BigEndian(NFTA_SET_ELEM_FLAGS, w.flags());
        }
        NftDataCodec.putValue(b, NFTA_SET_ELEM_KEY, e.key());
        if (withValues) {
            if (e.verdict() != null) {
                NftDataCodec.putVerdict(b, NFTA_SET_ELEM_DATA, e.verdict());
            } else if (e.data() != null) {
                NftDataCodec.putValue(b, NFTA_SET_ELEM_DATA, e.data());
            }
            byte[] udata = NftUserdata.commentOnly(UDATA_SET_ELEM_COMMENT, e.comment());
            if (udata != null) {
                b.attr(NFTA_SET_ELEM_USERDATA, udata);
            }
        }
        byte[] m = b.build(0, 0);
        return java.util.Arrays.copyOfRange(m, NetlinkConstants.NLMSG_HDRLEN, m.length);
    }

}
