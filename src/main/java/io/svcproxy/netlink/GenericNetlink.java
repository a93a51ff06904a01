package io.svcproxy.netlink;

import java.nio.ByteOrder;
import java.util.List;

import static io.svcproxy.netlink.NetlinkConstants.*;

/**
 * Generic netlink's controller ("nlctrl", linux/genetlink.h): resolves a family name such as
 * "IPVS" to the id the kernel assigned it at registration (different on every boot) and its version.
 */
public final class GenericNetlink {
    private GenericNetlink() {
    }

    /** A resolved family: the nlmsg_type to address it with, its version, header size and highest attribute. */
    public record Family(String name, int id, int version, int headerSize, int maxAttribute) {
    }

    /** CTRL_CMD_GETFAMILY for one family, by name (acknowledged, answered with CTRL_CMD_NEWFAMILY). */
    public static NetlinkMessageBuilder getFamilyRequest(String name, ByteOrder order) {
        return new NetlinkMessageBuilder(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, order)
                .genlmsghdr(CTRL_CMD_GETFAMILY, 1)
                .attrString(CTRL_ATTR_FAMILY_NAME, name);
    }

    /** Parses the controller's CTRL_CMD_NEWFAMILY reply. */
    public static Family parseFamily(NetlinkMessage reply) {
        if (reply.type() != GENL_ID_CTRL) {
            throw new NetlinkParseException("expected a genl controller message (type " + GENL_ID_CTRL + "), got type "
                    + reply.type());
        }
        NetlinkAttributes a = reply.attributes(GENL_HDRLEN);
        return new Family(a.require(CTRL_ATTR_FAMILY_NAME, "CTRL_ATTR_FAMILY_NAME").string(),
                a.require(CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID").u16(),
                a.get(CTRL_ATTR_VERSION).map(NetlinkAttribute::u32).orElse(0L).intValue(),
                a.get(CTRL_ATTR_HDRSIZE).map(NetlinkAttribute::u32).orElse(0L).intValue(),
                a.get(CTRL_ATTR_MAXATTR).map(NetlinkAttribute::u32).orElse(0L).intValue());
    }

    /**
     * Resolves {@code name} on a NETLINK_GENERIC socket. A family that is not registered (e.g. the
     * ip_vs module is not loaded and cannot be auto-loaded) is ENOENT.
     */
    public static Family resolve(NetlinkSocket socket, String name) {
        List<NetlinkMessage> replies = socket.request(getFamilyRequest(name, ByteOrder.nativeOrder()),
                "resolve generic netlink family " + name);
        if (replies.isEmpty()) {
            throw new NetlinkParseException("no CTRL_CMD_NEWFAMILY reply for generic netlink family " + name);
        }
        return parseFamily(replies.get(0));
    }
}
