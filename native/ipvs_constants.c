/*
 * Prints the kernel UAPI constants and struct sizes svcproxy's netlink code uses, as NAME=value
 * lines, straight from the headers (Debian linux-libc-dev). NativeConstantsTest compiles this,
 * runs it and compares every line with the Java constants of the same name, so a wrong or missing
 * constant fails the build. Build: make native (-> $(BUILD_DIR)/native/ipvs_constants).
 */
#include <stdio.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if.h>
#include <linux/netfilter.h>   /* union nf_inet_addr */
#include <linux/ip_vs.h>

#define P(name) printf("%s=%ld\n", #name, (long) (name))
#define S(name, type) printf("%s=%ld\n", #name, (long) sizeof(type))

int main(void) {
    /* linux/netlink.h */
    P(NETLINK_ROUTE); P(NETLINK_GENERIC); P(NETLINK_NETFILTER);
    P(NLMSG_HDRLEN); P(NLMSG_ALIGNTO);
    P(NLMSG_NOOP); P(NLMSG_ERROR); P(NLMSG_DONE); P(NLMSG_OVERRUN); P(NLMSG_MIN_TYPE);
    P(NLM_F_REQUEST); P(NLM_F_MULTI); P(NLM_F_ACK); P(NLM_F_ECHO); P(NLM_F_DUMP_INTR); P(NLM_F_DUMP_FILTERED);
    P(NLM_F_ROOT); P(NLM_F_MATCH); P(NLM_F_DUMP);
    P(NLM_F_REPLACE); P(NLM_F_EXCL); P(NLM_F_CREATE); P(NLM_F_APPEND);
    P(NLA_HDRLEN); P(NLA_ALIGNTO); P(NLA_F_NESTED); P(NLA_F_NET_BYTEORDER);

    /* linux/genetlink.h */
    P(GENL_HDRLEN); P(GENL_ID_CTRL);
    P(CTRL_CMD_NEWFAMILY); P(CTRL_CMD_GETFAMILY);
    P(CTRL_ATTR_FAMILY_ID); P(CTRL_ATTR_FAMILY_NAME); P(CTRL_ATTR_VERSION); P(CTRL_ATTR_HDRSIZE); P(CTRL_ATTR_MAXATTR);

    /* linux/ip_vs.h */
    P(IPVS_GENL_VERSION);
    P(IPVS_CMD_NEW_SERVICE); P(IPVS_CMD_SET_SERVICE); P(IPVS_CMD_DEL_SERVICE); P(IPVS_CMD_GET_SERVICE);
    P(IPVS_CMD_NEW_DEST); P(IPVS_CMD_SET_DEST); P(IPVS_CMD_DEL_DEST); P(IPVS_CMD_GET_DEST);
    P(IPVS_CMD_SET_CONFIG); P(IPVS_CMD_GET_CONFIG); P(IPVS_CMD_GET_INFO); P(IPVS_CMD_FLUSH);
    P(IPVS_CMD_ATTR_SERVICE); P(IPVS_CMD_ATTR_DEST);
    P(IPVS_CMD_ATTR_TIMEOUT_TCP); P(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN); P(IPVS_CMD_ATTR_TIMEOUT_UDP);
    P(IPVS_SVC_ATTR_AF); P(IPVS_SVC_ATTR_PROTOCOL); P(IPVS_SVC_ATTR_ADDR); P(IPVS_SVC_ATTR_PORT);
    P(IPVS_SVC_ATTR_FWMARK); P(IPVS_SVC_ATTR_SCHED_NAME); P(IPVS_SVC_ATTR_FLAGS); P(IPVS_SVC_ATTR_TIMEOUT);
    P(IPVS_SVC_ATTR_NETMASK); P(IPVS_SVC_ATTR_STATS); P(IPVS_SVC_ATTR_PE_NAME);
    P(IPVS_DEST_ATTR_ADDR); P(IPVS_DEST_ATTR_PORT); P(IPVS_DEST_ATTR_FWD_METHOD); P(IPVS_DEST_ATTR_WEIGHT);
    P(IPVS_DEST_ATTR_U_THRESH); P(IPVS_DEST_ATTR_L_THRESH); P(IPVS_DEST_ATTR_ACTIVE_CONNS);
    P(IPVS_DEST_ATTR_INACT_CONNS); P(IPVS_DEST_ATTR_PERSIST_CONNS); P(IPVS_DEST_ATTR_STATS);
    P(IPVS_DEST_ATTR_ADDR_FAMILY);
    P(IP_VS_CONN_F_MASQ); P(IP_VS_CONN_F_FWD_MASK);
    P(IP_VS_SVC_F_PERSISTENT); P(IP_VS_SVC_F_HASHED); P(IP_VS_SVC_F_ONEPACKET);
    P(IP_VS_SVC_F_SCHED1); P(IP_VS_SVC_F_SCHED2); P(IP_VS_SVC_F_SCHED3);

    /* linux/rtnetlink.h, if_link.h, if_addr.h, if.h */
    P(RTM_NEWLINK); P(RTM_DELLINK); P(RTM_GETLINK); P(RTM_NEWADDR); P(RTM_DELADDR); P(RTM_GETADDR);
    P(RT_SCOPE_UNIVERSE); P(RT_SCOPE_LINK); P(RT_SCOPE_HOST);
    P(IFLA_IFNAME); P(IFLA_LINKINFO); P(IFLA_INFO_KIND);
    P(IFA_ADDRESS); P(IFA_LOCAL); P(IFA_LABEL);
    P(IFF_UP);

    /* struct sizes */
    S(NLMSGHDR_LEN, struct nlmsghdr);
    S(NLATTR_LEN, struct nlattr);
    S(GENLMSGHDR_LEN, struct genlmsghdr);
    S(IFINFOMSG_LEN, struct ifinfomsg);
    S(IFADDRMSG_LEN, struct ifaddrmsg);
    S(IP_VS_FLAGS_LEN, struct ip_vs_flags);
    S(NF_INET_ADDR_LEN, union nf_inet_addr);
    return 0;
}
