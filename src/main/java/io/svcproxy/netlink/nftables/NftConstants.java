package io.svcproxy.netlink.nftables;

/**
 * The nf_tables netlink numbers this codec uses (linux/netfilter/nf_tables.h, nfnetlink.h), and
 * the user-data TLV numbers nft keeps in the kernel (libnftnl udata.h), grouped by enum so each
 * can be checked against its header. Kernel ABI: never changes.
 */
final class NftConstants {
    private NftConstants() {
    }

    // enum nf_tables_msg_types
    static final int NFT_MSG_NEWTABLE = 0;
    static final int NFT_MSG_GETTABLE = 1;
    static final int NFT_MSG_DELTABLE = 2;
    static final int NFT_MSG_NEWCHAIN = 3;
    static final int NFT_MSG_GETCHAIN = 4;
    static final int NFT_MSG_DELCHAIN = 5;
    static final int NFT_MSG_NEWRULE = 6;
    static final int NFT_MSG_GETRULE = 7;
    static final int NFT_MSG_DELRULE = 8;
    static final int NFT_MSG_NEWSET = 9;
    static final int NFT_MSG_GETSET = 10;
    static final int NFT_MSG_DELSET = 11;
    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_GETSETELEM = 13;
    static final int NFT_MSG_DELSETELEM = 14;
    static final int NFT_MSG_GETGEN = 16;
    /** enum nft_gen_attributes: the ruleset generation, bumped by every committed batch. */
    static final int NFTA_GEN_ID = 1;

    // enum nft_table_attributes
    static final int NFTA_TABLE_NAME = 1;
    static final int NFTA_TABLE_FLAGS = 2;
    static final int NFTA_TABLE_HANDLE = 4;
    static final int NFTA_TABLE_USERDATA = 6;

    // enum nft_chain_attributes
    static final int NFTA_CHAIN_TABLE = 1;
    static final int NFTA_CHAIN_NAME = 3;
    static final int NFTA_CHAIN_HOOK = 4;
    static final int NFTA_CHAIN_POLICY = 5;
    static final int NFTA_CHAIN_TYPE = 7;
    static final int NFTA_CHAIN_USERDATA = 12;
    // enum nft_hook_attributes
    static final int NFTA_HOOK_HOOKNUM = 1;
    static final int NFTA_HOOK_PRIORITY = 2;

    // enum nft_rule_attributes
    static final int NFTA_RULE_TABLE = 1;
    static final int NFTA_RULE_CHAIN = 2;
    static final int NFTA_RULE_EXPRESSIONS = 4;
    static final int NFTA_RULE_USERDATA = 7;
    // enum nft_list_attributes / nft_expr_attributes
    static final int NFTA_LIST_ELEM = 1;
    static final int NFTA_EXPR_NAME = 1;
    static final int NFTA_EXPR_DATA = 2;

    // enum nft_set_attributes
    static final int NFTA_SET_TABLE = 1;
    static final int NFTA_SET_NAME = 2;
    static final int NFTA_SET_FLAGS = 3;
    static final int NFTA_SET_KEY_TYPE = 4;
    static final int NFTA_SET_KEY_LEN = 5;
    static final int NFTA_SET_DATA_TYPE = 6;
    static final int NFTA_SET_DATA_LEN = 7;
    static final int NFTA_SET_DESC = 9;
    static final int NFTA_SET_ID = 10;
    static final int NFTA_SET_TIMEOUT = 11;
    static final int NFTA_SET_USERDATA = 13;
    static final int NFTA_SET_HANDLE = 16;
    static final int NFTA_SET_DESC_SIZE = 1;
    /** NFTA_SET_DATA_TYPE of a verdict map (NFT_DATA_VERDICT). */
    static final int NFT_DATA_VERDICT = 0xffffff00;

    // enum nft_set_elem_list_attributes / nft_set_elem_attributes
    static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    static final int NFTA_SET_ELEM_LIST_SET = 2;
    static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_SET_ELEM_LIST_SET_ID = 4;
    static final int NFTA_SET_ELEM_KEY = 1;
    static final int NFTA_SET_ELEM_DATA = 2;
    static final int NFTA_SET_ELEM_FLAGS = 3;
    static final int NFTA_SET_ELEM_USERDATA = 6;

    // enum nft_data_attributes / nft_verdict_attributes
    static final int NFTA_DATA_VALUE = 1;
    static final int NFTA_DATA_VERDICT = 2;
    static final int NFTA_VERDICT_CODE = 1;
    static final int NFTA_VERDICT_CHAIN = 2;

    // expression attributes, one enum per expression
    static final int NFTA_PAYLOAD_DREG = 1;
    static final int NFTA_PAYLOAD_BASE = 2;
    static final int NFTA_PAYLOAD_OFFSET = 3;
    static final int NFTA_PAYLOAD_LEN = 4;
    static final int NFTA_META_DREG = 1;
    static final int NFTA_META_KEY = 2;
    static final int NFTA_META_SREG = 3;
    static final int NFTA_CT_DREG = 1;
    static final int NFTA_CT_KEY = 2;
    static final int NFTA_CT_DIRECTION = 3;
    static final int NFTA_CMP_SREG = 1;
    static final int NFTA_CMP_OP = 2;
    static final int NFTA_CMP_DATA = 3;
    static final int NFTA_BITWISE_SREG = 1;
    static final int NFTA_BITWISE_DREG = 2;
    static final int NFTA_BITWISE_LEN = 3;
    static final int NFTA_BITWISE_MASK = 4;
    static final int NFTA_BITWISE_XOR = 5;
    static final int NFTA_BITWISE_OP = 6;
    static final int NFT_BITWISE_BOOL = 0;
    static final int NFTA_LOOKUP_SET = 1;
    static final int NFTA_LOOKUP_SREG = 2;
    static final int NFTA_LOOKUP_DREG = 3;
    static final int NFTA_LOOKUP_SET_ID = 4;
    static final int NFTA_LOOKUP_FLAGS = 5;
    static final int NFTA_IMMEDIATE_DREG = 1;
    static final int NFTA_IMMEDIATE_DATA = 2;
    static final int NFTA_NG_DREG = 1;
    static final int NFTA_NG_MODULUS = 2;
    static final int NFTA_NG_TYPE = 3;
    static final int NFTA_NG_OFFSET = 4;
    static final int NFTA_NAT_TYPE = 1;
    static final int NFTA_NAT_FAMILY = 2;
    static final int NFTA_NAT_REG_ADDR_MIN = 3;
    static final int NFTA_NAT_REG_ADDR_MAX = 4;
    static final int NFTA_NAT_REG_PROTO_MIN = 5;
    static final int NFTA_NAT_REG_PROTO_MAX = 6;
    static final int NFTA_NAT_FLAGS = 7;
    static final int NFTA_MASQ_FLAGS = 1;
    /** linux/netfilter/nf_nat.h: NF_NAT_RANGE_MAP_IPS. */
    static final int NF_NAT_RANGE_MAP_IPS = 1;
    static final int NFTA_REJECT_TYPE = 1;
    static final int NFTA_REJECT_ICMP_CODE = 2;
    static final int NFTA_FIB_DREG = 1;
    static final int NFTA_FIB_RESULT = 2;
    static final int NFTA_FIB_FLAGS = 3;
    static final int NFTA_DYNSET_SET_NAME = 1;
    static final int NFTA_DYNSET_SET_ID = 2;
    static final int NFTA_DYNSET_OP = 3;
    static final int NFTA_DYNSET_SREG_KEY = 4;
    static final int NFTA_DYNSET_TIMEOUT = 6;

    /** Element flag: this element closes an interval (NFT_SET_ELEM_INTERVAL_END). */
    static final int NFT_SET_ELEM_INTERVAL_END = 1;

    // libnftnl udata.h: TLVs of the user data nft stores with tables, chains, rules, sets, elements
    static final int UDATA_TABLE_COMMENT = 0;
    static final int UDATA_CHAIN_COMMENT = 0;
    static final int UDATA_RULE_COMMENT = 0;
    static final int UDATA_SET_KEYBYTEORDER = 0;
    static final int UDATA_SET_DATABYTEORDER = 1;
    static final int UDATA_SET_MERGE_ELEMENTS = 2;
    static final int UDATA_SET_KEY_TYPEOF = 3;
    static final int UDATA_SET_DATA_TYPEOF = 4;
    static final int UDATA_SET_DATA_INTERVAL = 6;
    static final int UDATA_SET_COMMENT = 7;
    static final int UDATA_SET_TYPEOF_EXPR = 0;
    static final int UDATA_SET_TYPEOF_DATA = 1;
    static final int UDATA_SET_ELEM_COMMENT = 0;
}
