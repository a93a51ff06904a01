package io.svcproxy.netlink.conntrack;

import io.svcproxy.model.Addresses;
import io.svcproxy.netlink.NetlinkAttributes;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkMessages;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.netlink.nfacct.NfacctMessages;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.HexFormat;

import static io.svcproxy.netlink.NetlinkConstants.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConntrackMessagesTest {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final ConntrackTuple ORIG = new ConntrackTuple(Addresses.parseIp("10.0.0.1"),
            Addresses.parseIp("10.96.0.10"), IPPROTO_UDP, 1234, 53);
    private static final ConntrackTuple REPLY = new ConntrackTuple(Addresses.parseIp("10.244.1.5"),
            Addresses.parseIp("10.0.0.1"), IPPROTO_UDP, 53, 1234);

    /** A dump reply as ctnetlink sends it, plus attributes we do not know (which must be skipped). */
    private static NetlinkMessage dumped(int family, ConntrackTuple orig, ConntrackTuple reply) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW),
                NLM_F_MULTI, LE).nfgenmsg(family, 0, 0);
        ConntrackMessages.appendTuple(b, CTA_TUPLE_ORIG, orig);
        ConntrackMessages.appendTuple(b, CTA_TUPLE_REPLY, reply);
        b.attrU32BigEndian(CTA_STATUS, 0x8).attrU32BigEndian(CTA_TIMEOUT, 120).attrU32BigEndian(CTA_ID, 0xcafe)
                .attr(99, new byte[] {1, 2, 3}).attrU16BigEndian(CTA_ZONE, 7);
        byte[] bytes = b.build(1, 2);
        return NetlinkMessages.parse(bytes, bytes.length, LE).get(0);
    }

    @Test
    void parsesBothTuplesZoneAndIdAndSkipsUnknownAttributes() {
        NetlinkMessage m = dumped(AF_INET, ORIG, REPLY);
        assertTrue(ConntrackMessages.isEntry(m));
        ConntrackEntry e = ConntrackMessages.parseEntry(m);
        assertEquals(AF_INET, e.family());
        assertEquals(ORIG, e.original());
        assertEquals(REPLY, e.reply());
        assertEquals(7, e.zone());
        assertEquals(0xcafe, e.id());
    }

    @Test
    void parsesIpv6() {
        ConntrackTuple o = new ConntrackTuple(Addresses.parseIp("fd00::1"), Addresses.parseIp("fd00:96::10"), IPPROTO_UDP, 1, 53);
        ConntrackTuple r = new ConntrackTuple(Addresses.parseIp("fd00:244::5"), Addresses.parseIp("fd00::1"), IPPROTO_UDP, 53, 1);
        ConntrackEntry e = ConntrackMessages.parseEntry(dumped(AF_INET6, o, r));
        assertEquals(o, e.original());
        assertEquals(r, e.reply());
    }

    @Test
    void deleteCarriesTheOriginalTupleAsDumpedPlusZoneAndId() {
        ConntrackEntry e = ConntrackMessages.parseEntry(dumped(AF_INET, ORIG, REPLY));
        byte[] del = ConntrackMessages.deleteRequest(e, LE).build(9, 10);
        NetlinkMessage m = NetlinkMessages.parse(del, del.length, LE).get(0);
        assertEquals(nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE), m.type());
        assertEquals(NLM_F_REQUEST | NLM_F_ACK, m.flags());
        assertEquals(AF_INET, m.nfgenmsg().family());
        NetlinkAttributes attrs = m.attributes(NFGENMSG_LEN);
        assertTrue(attrs.require(CTA_TUPLE_ORIG, "orig").nestedFlag());
        assertArrayEquals(e.originalTupleAttributes(), attrs.require(CTA_TUPLE_ORIG, "orig").value());
        assertEquals(ORIG, ConntrackMessages.parseTuple(attrs.require(CTA_TUPLE_ORIG, "orig").nested(), "orig"));
        assertEquals(7, attrs.require(CTA_ZONE, "zone").u16BigEndian());
        assertEquals(0xcafe, attrs.require(CTA_ID, "id").u32BigEndian());
    }

    @Test
    void dumpRequestIsByteExact() {
        assertArrayEquals(HexFormat.of().parseHex("14000000" + "0101" + "0103" + "05000000" + "06000000" + "02000000"),
                ConntrackMessages.dumpRequest(AF_INET, LE).build(5, 6));
    }

    @Test
    void nfacctCreateIsByteExact() {
        assertArrayEquals(HexFormat.of().parseHex("1c000000" + "0007" + "0506" + "07000000" + "34120000" + "00000000"
                        + "0800" + "0100" + "666f6f00"),
                NfacctMessages.createRequest("foo", LE).build(7, 0x1234));
        assertThrows(IllegalArgumentException.class, () -> NfacctMessages.createRequest("", LE));
        assertThrows(IllegalArgumentException.class, () -> NfacctMessages.createRequest("x".repeat(32), LE));
    }

    @Test
    void entriesMissingPartsAreRejectedClearly() {
        byte[] noReply = ConntrackMessages.appendTuple(new NetlinkMessageBuilder(
                nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW), 0, LE).nfgenmsg(AF_INET, 0, 0),
                CTA_TUPLE_ORIG, ORIG).build(1, 1);
        NetlinkParseException e = assertThrows(NetlinkParseException.class,
                () -> ConntrackMessages.parseEntry(NetlinkMessages.parse(noReply, noReply.length, LE).get(0)));
        assertTrue(e.getMessage().contains("CTA_TUPLE_REPLY"), e.getMessage());

        byte[] badAddress = new NetlinkMessageBuilder(0x0100, 0, LE).nfgenmsg(AF_INET, 0, 0)
                .beginNested(CTA_TUPLE_ORIG).beginNested(CTA_TUPLE_IP)
                .attr(CTA_IP_V4_SRC, new byte[] {10, 0, 0}).attr(CTA_IP_V4_DST, new byte[] {10, 0, 0, 1})
                .endNested().endNested().build(1, 1);
        assertThrows(NetlinkParseException.class,
                () -> ConntrackMessages.parseEntry(NetlinkMessages.parse(badAddress, badAddress.length, LE).get(0)));
    }
}
