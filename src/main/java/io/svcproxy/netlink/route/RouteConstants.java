package io.svcproxy.netlink.route;

/**
 * rtnetlink numbers svcproxy uses (linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h,
 * linux/if.h). Names match the C headers; native/ipvs_constants.c prints them for the constants test.
 */
public final class RouteConstants {
    private RouteConstants() {
    }

    // linux/rtnetlink.h: message types
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    // enum rt_scope_t
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;

    // linux/if_link.h
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_INFO_KIND = 1;

    // linux/if_addr.h
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;

    // linux/if.h
    public static final int IFF_UP = 0x1;

    /** sizeof(struct ifinfomsg): family u8, pad u8, type u16, index s32, flags u32, change u32. */
    public static final int IFINFOMSG_LEN = 16;
    /** sizeof(struct ifaddrmsg): family u8, prefixlen u8, flags u8, scope u8, index u32. */
    public static final int IFADDRMSG_LEN = 8;
}
