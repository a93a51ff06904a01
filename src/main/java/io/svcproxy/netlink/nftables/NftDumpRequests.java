package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.nftables.NftFamily;

import java.nio.ByteOrder;

import static io.svcproxy.netlink.nftables.NftConstants.*;

/**
 * The read requests: GETTABLE of one table, and dumps that name the table (the kernel filters
 * set, rule and element dumps by it; chain dumps only by family, so the decoder filters too).
 */
final class NftDumpRequests {
    private NftDumpRequests() {
    }

    private static NetlinkMessageBuilder message(int nftMsg, int flags, NftFamily family, ByteOrder order) {
        return new NetlinkMessageBuilder(NetlinkConstants.nfnlMessageType(NetlinkConstants.NFNL_SUBSYS_NFTABLES, nftMsg),
                NetlinkConstants.NLM_F_REQUEST | flags, order)
                .nfgenmsg(family.nfproto(), NetlinkConstants.NFNETLINK_V0, 0);
    }

    static NetlinkMessageBuilder getGeneration(ByteOrder order) {
        return new NetlinkMessageBuilder(NetlinkConstants.nfnlMessageType(NetlinkConstants.NFNL_SUBSYS_NFTABLES,
                NFT_MSG_GETGEN), NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_ACK, order)
                .nfgenmsg(NetlinkConstants.AF_UNSPEC, NetlinkConstants.NFNETLINK_V0, 0);
    }

    static NetlinkMessageBuilder getTable(NftFamily family, String table, ByteOrder order) {
        return message(NFT_MSG_GETTABLE, NetlinkConstants.NLM_F_ACK, family, order).attrString(NFTA_TABLE_NAME, table);
    }

    static NetlinkMessageBuilder dump(int nftMsg, int tableAttr, NftFamily family, String table, ByteOrder order) {
        return message(nftMsg, NetlinkConstants.NLM_F_DUMP, family, order).attrString(tableAttr, table);
    }

    /** One chain of the table (a GET, not a dump). */
    static NetlinkMessageBuilder getChain(NftFamily family, String table, String chain, ByteOrder order) {
        return message(NFT_MSG_GETCHAIN, NetlinkConstants.NLM_F_ACK, family, order)
                .attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, chain);
    }

    /** The rules of one chain: a rule dump the kernel filters by table and chain. */
    static NetlinkMessageBuilder dumpRulesOf(NftFamily family, String table, String chain, ByteOrder order) {
        return message(NFT_MSG_GETRULE, NetlinkConstants.NLM_F_DUMP, family, order)
                .attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, chain);
    }

    /** One set of the table by name (a GET). */
    static NetlinkMessageBuilder getSet(NftFamily family, String table, String set, ByteOrder order) {
        return message(NFT_MSG_GETSET, NetlinkConstants.NLM_F_ACK, family, order)
                .attrString(NFTA_SET_TABLE, table).attrString(NFTA_SET_NAME, set);
    }

    static NetlinkMessageBuilder getElements(NftFamily family, String table, String set, ByteOrder order) {
        return message(NFT_MSG_GETSETELEM, NetlinkConstants.NLM_F_DUMP, family, order)
                .attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, set);
    }
}
