package io.svcproxy.netlink.ipvs;

/**
 * linux/ip_vs.h as svcproxy uses it: the generic netlink family "IPVS", its commands and attributes,
 * and the connection/service flags. Every name matches the C header's, and native/ipvs_constants.c
 * prints them from the kernel's UAPI headers so a test compares each value.
 */
public final class IpvsConstants {
    private IpvsConstants() {
    }

    public static final String IPVS_GENL_NAME = "IPVS";
    public static final int IPVS_GENL_VERSION = 1;

    // enum IPVS_CMD_*
    public static final int IPVS_CMD_NEW_SERVICE = 1;
    public static final int IPVS_CMD_SET_SERVICE = 2;
    public static final int IPVS_CMD_DEL_SERVICE = 3;
    public static final int IPVS_CMD_GET_SERVICE = 4;
    public static final int IPVS_CMD_NEW_DEST = 5;
    public static final int IPVS_CMD_SET_DEST = 6;
    public static final int IPVS_CMD_DEL_DEST = 7;
    public static final int IPVS_CMD_GET_DEST = 8;
    public static final int IPVS_CMD_SET_CONFIG = 12;
    public static final int IPVS_CMD_GET_CONFIG = 13;
    public static final int IPVS_CMD_GET_INFO = 15;
    public static final int IPVS_CMD_FLUSH = 17;

    // enum IPVS_CMD_ATTR_*
    public static final int IPVS_CMD_ATTR_SERVICE = 1;
    public static final int IPVS_CMD_ATTR_DEST = 2;
    public static final int IPVS_CMD_ATTR_TIMEOUT_TCP = 4;
    public static final int IPVS_CMD_ATTR_TIMEOUT_TCP_FIN = 5;
    public static final int IPVS_CMD_ATTR_TIMEOUT_UDP = 6;

    // enum IPVS_SVC_ATTR_* (nested in IPVS_CMD_ATTR_SERVICE)
    public static final int IPVS_SVC_ATTR_AF = 1;
    public static final int IPVS_SVC_ATTR_PROTOCOL = 2;
    public static final int IPVS_SVC_ATTR_ADDR = 3;
    public static final int IPVS_SVC_ATTR_PORT = 4;
    public static final int IPVS_SVC_ATTR_FWMARK = 5;
    public static final int IPVS_SVC_ATTR_SCHED_NAME = 6;
    public static final int IPVS_SVC_ATTR_FLAGS = 7;
    public static final int IPVS_SVC_ATTR_TIMEOUT = 8;
    public static final int IPVS_SVC_ATTR_NETMASK = 9;
    public static final int IPVS_SVC_ATTR_STATS = 10;
    public static final int IPVS_SVC_ATTR_PE_NAME = 11;

    // enum IPVS_DEST_ATTR_* (nested in IPVS_CMD_ATTR_DEST)
    public static final int IPVS_DEST_ATTR_ADDR = 1;
    public static final int IPVS_DEST_ATTR_PORT = 2;
    public static final int IPVS_DEST_ATTR_FWD_METHOD = 3;
    public static final int IPVS_DEST_ATTR_WEIGHT = 4;
    public static final int IPVS_DEST_ATTR_U_THRESH = 5;
    public static final int IPVS_DEST_ATTR_L_THRESH = 6;
    public static final int IPVS_DEST_ATTR_ACTIVE_CONNS = 7;
    public static final int IPVS_DEST_ATTR_INACT_CONNS = 8;
    public static final int IPVS_DEST_ATTR_PERSIST_CONNS = 9;
    public static final int IPVS_DEST_ATTR_STATS = 10;
    public static final int IPVS_DEST_ATTR_ADDR_FAMILY = 11;

    /** Forwarding method: NAT (masquerading), the only one kube-proxy uses. */
    public static final int IP_VS_CONN_F_MASQ = 0;
    public static final int IP_VS_CONN_F_FWD_MASK = 0x7;

    // IP_VS_SVC_F_*: virtual service flags
    public static final int IP_VS_SVC_F_PERSISTENT = 0x0001;
    /** Set by the kernel on every hashed (i.e. live) service; never part of a desired state. */
    public static final int IP_VS_SVC_F_HASHED = 0x0002;
    public static final int IP_VS_SVC_F_ONEPACKET = 0x0004;
    public static final int IP_VS_SVC_F_SCHED1 = 0x0008;
    public static final int IP_VS_SVC_F_SCHED2 = 0x0010;
    public static final int IP_VS_SVC_F_SCHED3 = 0x0020;

    /** sizeof(union nf_inet_addr): addresses are sent as 16 bytes, IPv4 in the first 4. */
    public static final int NF_INET_ADDR_LEN = 16;
    /** sizeof(struct ip_vs_flags): u32 flags, u32 mask, host order. */
    public static final int IP_VS_FLAGS_LEN = 8;
}
