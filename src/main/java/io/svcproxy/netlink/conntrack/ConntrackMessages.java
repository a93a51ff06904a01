package io.svcproxy.netlink.conntrack;

import io.svcproxy.netlink.NetlinkAttribute;
import io.svcproxy.netlink.NetlinkAttributes;

import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkParseException;

import java.net.InetAddress;
import java.nio.ByteOrder;

import static io.svcproxy.netlink.NetlinkConstants.*;

/**
 * ctnetlink's wire format (linux/netfilter/nfnetlink_conntrack.h), without any I/O: the dump
 * request of one family, parsing a dumped entry, and the delete request for one entry.
 */
public final class ConntrackMessages {
    private ConntrackMessages() {
    }

    /** IPCTNL_MSG_CT_GET with NLM_F_DUMP: every entry of {@code family} (AF_INET / AF_INET6). */
    public static NetlinkMessageBuilder dumpRequest(int family, ByteOrder order) {
        return new NetlinkMessageBuilder(nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET),
                NLM_F_REQUEST | NLM_F_DUMP, order)
                .nfgenmsg(family, NFNETLINK_V0, 0);
    }

    /** IPCTNL_MSG_CT_DELETE of exactly this entry (its original tuple, zone and id), acknowledged. */
    public static NetlinkMessageBuilder deleteRequest(ConntrackEntry entry, ByteOrder order) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE),
                NLM_F_REQUEST | NLM_F_ACK, order)
                .nfgenmsg(entry.family(), NFNETLINK_V0, 0)
                .rawNested(CTA_TUPLE_ORIG, entry.originalTupleAttributes());
        if (entry.zone() >= 0) {
            b.attrU16BigEndian(CTA_ZONE, entry.zone());
        }
        if (entry.id() >= 0) {
            b.attrU32BigEndian(CTA_ID, entry.id());
        }
        return b;
    }

    /** Whether a dumped message is a conntrack entry (IPCTNL_MSG_CT_NEW is what dumps carry). */
    public static boolean isEntry(NetlinkMessage m) {
        return m.nfnlSubsystem() == NFNL_SUBSYS_CTNETLINK && m.nfnlMessage() == IPCTNL_MSG_CT_NEW;
    }

    public static ConntrackEntry parseEntry(NetlinkMessage m) {
        int family = m.nfgenmsg().family();
        NetlinkAttributes attrs = m.attributes(NFGENMSG_LEN);
        NetlinkAttribute orig = attrs.require(CTA_TUPLE_ORIG, "CTA_TUPLE_ORIG");
        ConntrackTuple original = parseTuple(orig.nested(), "CTA_TUPLE_ORIG");
        ConntrackTuple reply = parseTuple(attrs.require(CTA_TUPLE_REPLY, "CTA_TUPLE_REPLY").nested(), "CTA_TUPLE_REPLY");
        int zone = attrs.get(CTA_ZONE).map(NetlinkAttribute::u16BigEndian).orElse(-1);
        long id = attrs.get(CTA_ID).map(NetlinkAttribute::u32BigEndian).orElse(-1L);
        return new ConntrackEntry(family, original, reply, orig.value(), zone, id);
    }

    static ConntrackTuple parseTuple(NetlinkAttributes tuple, String what) {
        NetlinkAttributes ip = tuple.require(CTA_TUPLE_IP, what + "/CTA_TUPLE_IP").nested();
        InetAddress src;
        InetAddress dst;
        if (ip.get(CTA_IP_V4_SRC).isPresent()) {
            src = address(ip.require(CTA_IP_V4_SRC, what + "/CTA_IP_V4_SRC"), 4);
            dst = address(ip.require(CTA_IP_V4_DST, what + "/CTA_IP_V4_DST"), 4);
        } else {
            src = address(ip.require(CTA_IP_V6_SRC, what + "/CTA_IP_V6_SRC"), 16);
            dst = address(ip.require(CTA_IP_V6_DST, what + "/CTA_IP_V6_DST"), 16);
        }
        NetlinkAttributes proto = tuple.require(CTA_TUPLE_PROTO, what + "/CTA_TUPLE_PROTO").nested();
        int protocol = proto.require(CTA_PROTO_NUM, what + "/CTA_PROTO_NUM").u8();
        int sport = proto.get(CTA_PROTO_SRC_PORT).map(NetlinkAttribute::u16BigEndian).orElse(0);
        int dport = proto.get(CTA_PROTO_DST_PORT).map(NetlinkAttribute::u16BigEndian).orElse(0);
        return new ConntrackTuple(src, dst, protocol, sport, dport);
    }

    private static InetAddress address(NetlinkAttribute a, int length) {
        if (a.value().length != length) {
            throw new NetlinkParseException("address attribute " + a.type() + " has " + a.value().length
                    + " bytes, expected " + length);
        }
        return a.address();
    }

    /** Builds the nested CTA_TUPLE_* content of a tuple (used by tests and for creating entries). */
    public static NetlinkMessageBuilder appendTuple(NetlinkMessageBuilder b, int tupleType, ConntrackTuple t) {
        boolean v4 = t.source().getAddress().length == 4;
        b.beginNested(tupleType)
                .beginNested(CTA_TUPLE_IP)
                .attr(v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, t.source().getAddress())
                .attr(v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, t.destination().getAddress())
                .endNested()
                .beginNested(CTA_TUPLE_PROTO)
                .attrU8(CTA_PROTO_NUM, t.protocol());
        if (t.sourcePort() != 0 || t.destinationPort() != 0) {
            b.attrU16BigEndian(CTA_PROTO_SRC_PORT, t.sourcePort()).attrU16BigEndian(CTA_PROTO_DST_PORT, t.destinationPort());
        }
        return b.endNested().endNested();
    }

}
