package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkAttribute;
import io.svcproxy.netlink.NetlinkAttributes;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.svcproxy.netlink.nftables.NftConstants.*;

/**
 * Rebuilds an {@link NftTable} from the kernel's dump replies (table, chains, sets, rules, the
 * elements of each set): chains and rules in kernel order, named sets with their elements,
 * anonymous sets resolved into the lookups of the rules that use them. Replies of other tables
 * are skipped (the kernel filters some dumps by table, not all). Pure: the replies may come from
 * a socket or from a recorded fixture. Malformed structure is a {@link NetlinkParseException}
 * naming the object; an expression the model cannot represent becomes {@link NftExpr.Other}.
 */
final class NftTableDecoder {
    /** The name an anonymous set or map has in the model (the planner's convention). */
    static final String ANONYMOUS_SET = "__set";
    static final String ANONYMOUS_MAP = "__map";
    private NftTableDecoder() {
    }


    static String tableComment(NetlinkMessage table) {
        NetlinkAttributes a = table.attributes(NetlinkConstants.NFGENMSG_LEN);
        return a.get(NFTA_TABLE_USERDATA).map(u -> NftUserdata.comment(u.value(), UDATA_TABLE_COMMENT)).orElse(null);
    }

    /** The value of a string attribute naming the object's table (null if absent). */
    static String tableOf(NetlinkMessage m, int tableAttr) {
        return m.attributes(NetlinkConstants.NFGENMSG_LEN).get(tableAttr).map(NetlinkAttribute::string).orElse(null);
    }

    static NftChain chain(NetlinkMessage m) {
        NetlinkAttributes a = m.attributes(NetlinkConstants.NFGENMSG_LEN);
        String name = a.require(NFTA_CHAIN_NAME, "NFTA_CHAIN_NAME").string();
        NftChain.Base base = null;
        NetlinkAttribute hook = a.get(NFTA_CHAIN_HOOK).orElse(null);
        if (hook != null) {
            NetlinkAttributes h = hook.nested();
            int hookNum = (int) h.require(NFTA_HOOK_HOOKNUM, "chain " + name + " hook number").u32BigEndian();
            int priority = (int) h.require(NFTA_HOOK_PRIORITY, "chain " + name + " priority").u32BigEndian();
            String type = a.get(NFTA_CHAIN_TYPE).map(NetlinkAttribute::string).orElse("filter");
            int policy = a.get(NFTA_CHAIN_POLICY).map(x -> (int) x.u32BigEndian()).orElse(1);
            NftVerdict p = policy == 0 ? NftVerdict.DROP : NftVerdict.ACCEPT;
            base = new NftChain.Base(type, hookNum, priority, p);
        }
        String comment = a.get(NFTA_CHAIN_USERDATA).map(u -> NftUserdata.comment(u.value(), UDATA_CHAIN_COMMENT))
                .orElse(null);
        return new NftChain(name, base, comment, List.of());
    }

    static NftSet set(NetlinkMessage m) {
        NetlinkAttributes a = m.attributes(NetlinkConstants.NFGENMSG_LEN);
        String name = a.require(NFTA_SET_NAME, "NFTA_SET_NAME").string();
        String what = "set " + name;
        int flags = a.get(NFTA_SET_FLAGS).map(x -> (int) x.u32BigEndian()).orElse(0);   // absent when 0
        NftKeyType key = keyType((int) a.require(NFTA_SET_KEY_TYPE, what + " key type").u32BigEndian(), what);
        int keyLen = (int) a.require(NFTA_SET_KEY_LEN, what + " key length").u32BigEndian();
        if (keyLen != key.length()) {
            throw new NetlinkParseException(what + ": key " + key.nftName() + " should be " + key.length()
                    + " bytes, the kernel says " + keyLen);
        }
        NftKeyType data = null;
        if ((flags & NftSet.F_MAP) != 0) {
            int dataType = (int) a.require(NFTA_SET_DATA_TYPE, what + " data type").u32BigEndian();
            data = dataType == NFT_DATA_VERDICT ? NftKeyType.of(NftType.VERDICT) : keyType(dataType, what);
        }
        long timeout = a.get(NFTA_SET_TIMEOUT).map(NetlinkAttribute::u64BigEndian).orElse(0L);
        int size = a.get(NFTA_SET_DESC).flatMap(d -> d.nested().get(NFTA_SET_DESC_SIZE))
                .map(x -> (int) x.u32BigEndian()).orElse(0);
        if ((flags & NftSet.F_ANONYMOUS) != 0) {
            size = 0;   // nft sizes anonymous sets by their elements: not part of the model
        }
        String comment = a.get(NFTA_SET_USERDATA).map(u -> NftSetUserdata.comment(u.value())).orElse(null);
        try {
            return new NftSet(name, key, data, flags, timeout, size, comment, List.of());
        } catch (IllegalArgumentException e) {
            throw new NetlinkParseException(what + ": " + e.getMessage());
        }
    }

    private static NftKeyType keyType(int id, String what) {
        try {
            return NftKeyType.fromTypeId(id);
        } catch (IllegalArgumentException e) {
            throw new NetlinkParseException(what + ": " + e.getMessage());
        }
    }

    /**
     * The elements in one GETSETELEM reply; {@code ends} receives, per element, whether the kernel
     * flagged it as an interval end.
     */
    static List<NftElement> elements(NetlinkMessage m, List<Boolean> ends) {
        NetlinkAttributes a = m.attributes(NetlinkConstants.NFGENMSG_LEN);
        List<NftElement> out = new ArrayList<>();
        NetlinkAttribute list = a.get(NFTA_SET_ELEM_LIST_ELEMENTS).orElse(null);
        if (list == null) {
            return out;
        }
        for (NetlinkAttribute el : list.nested().all()) {
            // Any nest type: the kernel reads element nests by position (libnftnl numbers them 1, 2, ...).
            NetlinkAttributes e = el.nested();
            Bytes key = NftDataCodec.value(e.require(NFTA_SET_ELEM_KEY, "element key"));
            int flags = e.get(NFTA_SET_ELEM_FLAGS).map(x -> (int) x.u32BigEndian()).orElse(0);
            NftVerdict verdict = null;
            Bytes data = null;
            NetlinkAttribute d = e.get(NFTA_SET_ELEM_DATA).orElse(null);
            if (d != null) {
                verdict = NftDataCodec.verdictOrNull(d);
                if (verdict == null) {
                    data = NftDataCodec.value(d);
                }
            }
            String comment = e.get(NFTA_SET_ELEM_USERDATA)
                    .map(u -> NftUserdata.comment(u.value(), UDATA_SET_ELEM_COMMENT)).orElse(null);
            out.add(new NftElement(key, data, verdict, comment));
            ends.add((flags & NFT_SET_ELEM_INTERVAL_END) != 0);
        }
        return out;
    }

    /** A rule as dumped: its chain and the rule (lookups still name their sets). */
    record DumpedRule(String chain, NftRule rule) {
    }

    static DumpedRule rule(NetlinkMessage m) {
        NetlinkAttributes a = m.attributes(NetlinkConstants.NFGENMSG_LEN);
        String chain = a.require(NFTA_RULE_CHAIN, "NFTA_RULE_CHAIN").string();
        List<NftExpr> exprs = new ArrayList<>();
        NetlinkAttribute list = a.get(NFTA_RULE_EXPRESSIONS).orElse(null);
        if (list != null) {
            for (NetlinkAttribute e : list.nested().all()) {
                exprs.add(NftExprCodec.decode(e));   // by position, like the kernel
            }
        }
        String comment = a.get(NFTA_RULE_USERDATA).map(u -> NftUserdata.comment(u.value(), UDATA_RULE_COMMENT))
                .orElse(null);
        return new DumpedRule(chain, new NftRule(exprs, comment));
    }

    /**
     * The whole table. {@code elements} maps each set name (anonymous ones included) to its
     * GETSETELEM replies. Messages naming another table are ignored.
     */
    static NftTable table(NftFamily family, String name, NetlinkMessage table, List<NetlinkMessage> chains,
                          List<NetlinkMessage> sets, List<NetlinkMessage> rules,
                          Map<String, List<NetlinkMessage>> elements) {
        Map<String, NftSet> named = new LinkedHashMap<>();
        Map<String, NftSet> anonymous = new LinkedHashMap<>();
        for (NetlinkMessage m : sets) {
            if (!name.equals(tableOf(m, NFTA_SET_TABLE))) {
                continue;
            }
            NftSet s = set(m);
            List<NftElement> els = new ArrayList<>();
            List<Boolean> ends = new ArrayList<>();
            for (NetlinkMessage em : elements.getOrDefault(s.name(), List.of())) {
                els.addAll(elements(em, ends));
            }
            if ((s.flags() & NftSet.F_INTERVAL) != 0 && !s.isMap()) {
                List<NftIntervals.KernelElement> kernel = new ArrayList<>();
                for (int i = 0; i < els.size(); i++) {
                    kernel.add(new NftIntervals.KernelElement(els.get(i).key(), ends.get(i)));
                }
                els = NftIntervals.fromKernel(kernel);
            }
            try {
                s = s.withElements(els);
            } catch (IllegalArgumentException e) {
                throw new NetlinkParseException("set " + s.name() + ": " + e.getMessage());
            }
            if (s.isAnonymous()) {
                // The kernel numbers anonymous sets ("__map3"); the model compares them by content.
                anonymous.put(s.name(), renamed(s, s.isMap() ? ANONYMOUS_MAP : ANONYMOUS_SET));
            } else {
                named.put(s.name(), s);
            }
        }
        Map<String, List<NftRule>> rulesByChain = new LinkedHashMap<>();
        for (NetlinkMessage m : rules) {
            if (!name.equals(tableOf(m, NFTA_RULE_TABLE))) {
                continue;
            }
            DumpedRule r = rule(m);
            rulesByChain.computeIfAbsent(r.chain(), k -> new ArrayList<>()).add(resolveAnonymous(r.rule(), anonymous));
        }
        Map<String, NftChain> chainMap = new LinkedHashMap<>();
        for (NetlinkMessage m : chains) {
            if (!name.equals(tableOf(m, NFTA_CHAIN_TABLE))) {
                continue;
            }
            NftChain c = chain(m);
            chainMap.put(c.name(), c.withRules(rulesByChain.getOrDefault(c.name(), List.of())));
        }
        for (String chain : rulesByChain.keySet()) {
            if (!chainMap.containsKey(chain)) {
                throw new NetlinkParseException("rules of chain " + chain + " that the chain dump did not list");
            }
        }
        return new NftTable(family, name, tableComment(table), chainMap, named);
    }

    private static NftSet renamed(NftSet s, String name) {
        return new NftSet(name, s.keyType(), s.dataType(), s.flags(), s.timeoutMillis(), s.size(), s.comment(),
                s.elements());
    }

    private static NftRule resolveAnonymous(NftRule rule, Map<String, NftSet> anonymous) {
        List<NftExpr> out = new ArrayList<>(rule.exprs().size());
        boolean changed = false;
        for (NftExpr e : rule.exprs()) {
            if (e instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Named n && anonymous.containsKey(n.name())) {
                out.add(new NftExpr.Lookup(new NftExpr.Anonymous(anonymous.get(n.name())), l.sreg(), l.dreg(),
                        l.flags()));
                changed = true;
            } else {
                out.add(e);
            }
        }
        return changed ? new NftRule(out, rule.comment()) : rule;
    }
}
