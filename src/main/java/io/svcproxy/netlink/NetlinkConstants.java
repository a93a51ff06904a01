package io.svcproxy.netlink;

/**
 * The kernel's netlink numbers svcproxy uses, grouped by the header that defines them, so each can
 * be checked against its source. Values are part of the kernel ABI and never change.
 */
public final class NetlinkConstants {
    private NetlinkConstants() {
    }

    // --- linux/socket.h, linux/netlink.h: sockets -------------------------------------------
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;
    public static final int NETLINK_GENERIC = 16;

    // --- linux/netlink.h: struct nlmsghdr ---------------------------------------------------
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_ALIGNTO = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    /** Types below this are control messages (linux/netlink.h NLMSG_MIN_TYPE). */
    public static final int NLMSG_MIN_TYPE = 0x10;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    /** The dump was interrupted by a concurrent change and is inconsistent: dump again. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    // GET modifiers
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    // NEW modifiers
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;

    // --- linux/netlink.h: SOL_NETLINK socket options ----------------------------------------
    /** SOL_NETLINK option: join a multicast group (its number as the int value). */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;

    // --- linux/netlink.h: struct nlattr -----------------------------------------------------
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_ALIGNTO = 4;
    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // --- linux/genetlink.h: generic netlink and its controller ("nlctrl") --------------------
    public static final int GENL_HDRLEN = 4;
    public static final int GENL_ID_CTRL = 0x10;
    public static final int CTRL_CMD_NEWFAMILY = 1;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int CTRL_ATTR_VERSION = 3;
    public static final int CTRL_ATTR_HDRSIZE = 4;
    public static final int CTRL_ATTR_MAXATTR = 5;

    // --- linux/netfilter/nfnetlink.h ----------------------------------------------------------
    public static final int NFGENMSG_LEN = 4;
    public static final int NFNETLINK_V0 = 0;
    public static final int NFNL_SUBSYS_CTNETLINK = 1;
    public static final int NFNL_SUBSYS_ACCT = 7;
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    /** Batch frame messages (NLMSG_MIN_TYPE and the next): res_id names the subsystem. */
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    public static final int NFNL_MSG_BATCH_END = 0x11;

    /** nlmsg_type of an nfnetlink message: subsystem in the high byte, message in the low byte. */
    public static int nfnlMessageType(int subsystem, int message) {
        return (subsystem << 8) | message;
    }

    // --- linux/netfilter/nfnetlink_conntrack.h -----------------------------------------------
    public static final int IPCTNL_MSG_CT_NEW = 0;
    public static final int IPCTNL_MSG_CT_GET = 1;
    public static final int IPCTNL_MSG_CT_DELETE = 2;

    // enum ctattr_type
    public static final int CTA_TUPLE_ORIG = 1;
    public static final int CTA_TUPLE_REPLY = 2;
    public static final int CTA_STATUS = 3;
    public static final int CTA_TIMEOUT = 7;
    public static final int CTA_MARK = 8;
    public static final int CTA_ID = 12;
    public static final int CTA_ZONE = 18;
    // enum ctattr_tuple
    public static final int CTA_TUPLE_IP = 1;
    public static final int CTA_TUPLE_PROTO = 2;
    public static final int CTA_TUPLE_ZONE = 3;
    // enum ctattr_ip
    public static final int CTA_IP_V4_SRC = 1;
    public static final int CTA_IP_V4_DST = 2;
    public static final int CTA_IP_V6_SRC = 3;
    public static final int CTA_IP_V6_DST = 4;
    // enum ctattr_l4proto
    public static final int CTA_PROTO_NUM = 1;
    public static final int CTA_PROTO_SRC_PORT = 2;
    public static final int CTA_PROTO_DST_PORT = 3;

    // --- linux/netfilter/nfnetlink_acct.h ----------------------------------------------------
    public static final int NFNL_MSG_ACCT_NEW = 0;
    public static final int NFNL_MSG_ACCT_GET = 1;
    public static final int NFNL_MSG_ACCT_DEL = 3;
    public static final int NFACCT_NAME = 1;
    public static final int NFACCT_PKTS = 2;
    public static final int NFACCT_BYTES = 3;
    /** Counter names are at most 31 bytes plus the terminating NUL. */
    public static final int NFACCT_NAME_MAX = 32;

    // --- linux/in.h: IP protocol numbers -----------------------------------------------------
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_SCTP = 132;

    // --- asm-generic/errno-base.h, errno.h (Linux numbering) ---------------------------------
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENOBUFS = 105;
    public static final int EOPNOTSUPP = 95;
}
