package io.svcproxy.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import static io.svcproxy.netlink.NetlinkConstants.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetlinkCodecTest {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void headerAndNfgenmsgAreByteExact() {
        byte[] msg = new NetlinkMessageBuilder(nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET),
                NLM_F_REQUEST | NLM_F_DUMP, LE).nfgenmsg(AF_INET6, NFNETLINK_V0, 0x1234).build(7, 0x01020304);
        assertArrayEquals(hex("14000000 0101 0103 07000000 04030201 0a 00 1234"), msg);
    }

    @Test
    void bigEndianHostOrderIsHonoured() {
        byte[] msg = new NetlinkMessageBuilder(0x10, NLM_F_REQUEST, ByteOrder.BIG_ENDIAN).attrU8(1, 5).build(1, 2);
        assertArrayEquals(hex("00000018 0010 0001 00000001 00000002 0005 0001 05000000"), msg);
    }

    @Test
    void attributesArePaddedAndNestingLengthsCoverTheirContent() {
        byte[] msg = new NetlinkMessageBuilder(0x20, NLM_F_REQUEST, LE)
                .genlmsghdr(1, 2)
                .attrU8(1, 0xab)
                .beginNested(2).attrU16BigEndian(3, 0x0035).attrString(4, "ab").endNested()
                .attrU32BigEndian(5, 0xdeadbeefL)
                .build(0, 0);
        assertArrayEquals(hex("38000000 2000 0100 00000000 00000000"   // nlmsghdr, len 56
                + "01020000"                                              // genlmsghdr
                + "0500 0100 ab000000"                                    // u8 + 3 bytes padding
                + "1400 0280"                                             // nested (NLA_F_NESTED), len 20
                + "  0600 0300 0035 0000"                                 //   u16 big-endian + padding
                + "  0700 0400 616200 00"                                 //   "ab\0" + padding
                + "0800 0500 deadbeef"), msg);
    }

    @Test
    void roundTripThroughTheParser() {
        byte[] msg = new NetlinkMessageBuilder(0x0700, NLM_F_REQUEST | NLM_F_MULTI, LE)
                .nfgenmsg(AF_INET, 0, 0)
                .attrString(NFACCT_NAME, "counter")
                .beginNested(9).attrU32BigEndian(1, 42).beginNested(2).attr(3, new byte[0]).endNested().endNested()
                .attrU32(7, 0x01020304)
                .build(99, 5);
        List<NetlinkMessage> parsed = NetlinkMessages.parse(msg, msg.length, LE);
        assertEquals(1, parsed.size());
        NetlinkMessage m = parsed.get(0);
        assertEquals(0x0700, m.type());
        assertEquals(7, m.nfnlSubsystem());
        assertTrue(m.hasFlag(NLM_F_MULTI));
        assertEquals(99, m.seq());
        assertEquals(5, m.portId());
        assertEquals(new NfGenMsg(AF_INET, 0, 0), m.nfgenmsg());
        NetlinkAttributes attrs = m.attributes(NFGENMSG_LEN);
        assertEquals("counter", attrs.require(NFACCT_NAME, "name").string());
        NetlinkAttribute nest = attrs.require(9, "nest");
        assertTrue(nest.nestedFlag());
        assertEquals(42, nest.nested().require(1, "u32").u32BigEndian());
        assertEquals(0, nest.nested().require(2, "inner").nested().require(3, "empty").value().length);
        assertEquals(0x01020304, attrs.require(7, "host u32").u32());
        assertFalse(attrs.get(1234).isPresent());
    }

    @Test
    void severalMessagesInOneDatagram() {
        byte[] a = new NetlinkMessageBuilder(0x10, NLM_F_MULTI, LE).attrU8(1, 1).build(3, 4);
        byte[] b = hex("14000000 0300 0200 03000000 04000000 00000000");   // DONE with error 0
        byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
        List<NetlinkMessage> parsed = NetlinkMessages.parse(both, both.length, LE);
        assertEquals(List.of(0x10, NLMSG_DONE), parsed.stream().map(NetlinkMessage::type).toList());
        assertEquals(0, NetlinkMessages.errno(parsed.get(1)));
    }

    @Test
    void errorMessagesCarryNegativeErrno() {
        byte[] ack = hex("24000000 0200 0001 05000000 06000000" + "00000000" + "10000000 0107 0506 05000000 06000000");
        byte[] enoent = hex("24000000 0200 0000 05000000 06000000" + "feffffff" + "10000000 0107 0506 05000000 06000000");
        assertEquals(0, NetlinkMessages.errno(NetlinkMessages.parse(ack, ack.length, LE).get(0)));
        assertEquals(ENOENT, NetlinkMessages.errno(NetlinkMessages.parse(enoent, enoent.length, LE).get(0)));
        assertEquals("ENOENT", new NetlinkException("delete", ENOENT).errnoName());
        assertTrue(new NetlinkException("delete", EBUSY).getMessage().contains("EBUSY"));
    }

    @Test
    void lastAttributeWithoutTrailingPaddingIsAccepted() {
        byte[] data = hex("0500 0100 ab");   // kernel never does this, but the length says what is there
        assertEquals(0xab, NetlinkAttributes.parse(data, 0, data.length, LE).require(1, "x").u8());
    }

    // --- hostile input ---

    @Test
    void truncatedHeaderIsRejected() {
        byte[] data = hex("14000000 0101 0103 0700");
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> NetlinkMessages.parse(data, data.length, LE));
        assertTrue(e.getMessage().contains("truncated netlink header"), e.getMessage());
    }

    @Test
    void messageLengthBeyondTheBufferIsRejected() {
        byte[] data = hex("ff000000 0101 0103 07000000 04030201 0a000000");
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> NetlinkMessages.parse(data, data.length, LE));
        assertTrue(e.getMessage().contains("claims length 255"), e.getMessage());
        // Received length shorter than the array: only the received bytes count.
        byte[] ok = new NetlinkMessageBuilder(0x10, 0, LE).build(1, 1);
        byte[] padded = java.util.Arrays.copyOf(ok, 64);
        assertThrows(NetlinkParseException.class, () -> NetlinkMessages.parse(padded, 20, LE));
        assertEquals(1, NetlinkMessages.parse(padded, 16, LE).size());
    }

    @Test
    void messageLengthBelowHeaderIsRejected() {
        byte[] data = hex("08000000 0101 0103 07000000 04030201");
        assertThrows(NetlinkParseException.class, () -> NetlinkMessages.parse(data, data.length, LE));
    }

    @Test
    void zeroLengthAttributeIsRejectedInsteadOfLooping() {
        byte[] data = hex("0000 0100 00000000");
        NetlinkParseException e = assertThrows(NetlinkParseException.class,
                () -> NetlinkAttributes.parse(data, 0, data.length, LE));
        assertTrue(e.getMessage().contains("claims length 0"), e.getMessage());
    }

    @Test
    void attributeLongerThanItsStreamIsRejected() {
        byte[] data = hex("0c00 0100 01020304");
        assertThrows(NetlinkParseException.class, () -> NetlinkAttributes.parse(data, 0, data.length, LE));
        // ... also when the outer stream is longer but the nest is not.
        byte[] nested = hex("0800 0280 0c00 0100" + "00000000");
        NetlinkAttribute outer = NetlinkAttributes.parse(nested, 0, 8, LE).require(2, "outer");
        assertThrows(NetlinkParseException.class, outer::nested);
    }

    @Test
    void truncatedAttributeHeaderIsRejected() {
        byte[] data = hex("0500 0100 ab000000 0800");
        assertThrows(NetlinkParseException.class, () -> NetlinkAttributes.parse(data, 0, data.length, LE));
    }

    @Test
    void shortValuesAreRejectedByTypedReaders() {
        NetlinkAttribute a = NetlinkAttributes.parse(hex("0500 0100 ab000000"), 0, 8, LE).require(1, "a");
        assertThrows(NetlinkParseException.class, a::u16BigEndian);
        assertThrows(NetlinkParseException.class, a::u32BigEndian);
        assertThrows(NetlinkParseException.class, a::address);
    }

    @Test
    void familyHeaderLongerThanPayloadIsRejected() {
        byte[] msg = new NetlinkMessageBuilder(0x0101, 0, LE).build(1, 1);
        NetlinkMessage m = NetlinkMessages.parse(msg, msg.length, LE).get(0);
        assertThrows(NetlinkParseException.class, () -> m.attributes(NFGENMSG_LEN));
        assertThrows(NetlinkParseException.class, m::nfgenmsg);
    }

    @Test
    void builderMisuseIsCaught() {
        assertThrows(IllegalStateException.class, () -> new NetlinkMessageBuilder(1, 0, LE).beginNested(1).build(0, 0));
        assertThrows(IllegalStateException.class, () -> new NetlinkMessageBuilder(1, 0, LE).endNested());
        assertThrows(IllegalArgumentException.class, () -> new NetlinkMessageBuilder(1, 0, LE).attr(1, new byte[70000]));
    }

    @Test
    void typeFlagsAreMaskedOff() {
        byte[] data = hex("0800 0240 01020304");   // NLA_F_NET_BYTEORDER | 2
        NetlinkAttribute a = NetlinkAttributes.parse(data, 0, data.length, LE).all().get(0);
        assertEquals(2, a.type());
        assertFalse(a.nestedFlag());
    }
}
