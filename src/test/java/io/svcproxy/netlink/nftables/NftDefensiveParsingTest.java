package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkAttribute;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkMessages;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.testing.HexFixture;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Truncated and hostile replies: the decoder either decodes (unknown content as NftExpr.Other)
 * or throws NetlinkParseException saying what is wrong; never another exception, a hang or a
 * huge allocation (every length is checked against the bytes actually there).
 */
class NftDefensiveParsingTest {
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final Path DIR = Path.of("test-fixtures/netlink/nftables");

    private static byte[] fixture(String name) {
        return HexFixture.read(DIR.resolve(name + ".hex"));
    }

    /** Parses and decodes everything in the bytes as rule, set, chain or element replies. */
    private static void decodeAll(byte[] bytes) {
        List<NetlinkMessage> ms = NetlinkMessages.parse(bytes, bytes.length, LE);
        for (NetlinkMessage m : ms) {
            switch (m.nfnlMessage()) {
                case NftConstants.NFT_MSG_NEWRULE -> NftTableDecoder.rule(m);
                case NftConstants.NFT_MSG_NEWSET -> NftTableDecoder.set(m);
                case NftConstants.NFT_MSG_NEWCHAIN -> NftTableDecoder.chain(m);
                case NftConstants.NFT_MSG_NEWSETELEM -> NftTableDecoder.elements(m, new java.util.ArrayList<>());
                case NftConstants.NFT_MSG_NEWTABLE -> NftTableDecoder.tableComment(m);
                default -> {
                }
            }
        }
    }

    private static void assertDecodesOrRefusesCleanly(byte[] bytes, String what) {
        try {
            decodeAll(bytes);
        } catch (NetlinkParseException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what);
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    @Test
    void everyTruncationOfTheKernelsRepliesIsRefusedCleanly() {
        for (String name : List.of("small-ruleset-getrule-replies", "small-ruleset-getset-replies",
                "small-ruleset-getchain-replies", "small-ruleset-getsetelem-replies", "small-ruleset-gettable-reply")) {
            byte[] full = fixture(name);
            for (int len = 0; len < full.length; len++) {
                assertDecodesOrRefusesCleanly(java.util.Arrays.copyOf(full, len), name + " cut at " + len);
            }
        }
    }

    @Test
    void corruptedBytesAreRefusedCleanly() {
        Random random = new Random(42);
        for (String name : List.of("small-ruleset-getrule-replies", "small-ruleset-getset-replies",
                "small-ruleset-getsetelem-replies", "small-ruleset-getchain-replies")) {
            byte[] full = fixture(name);
            for (int round = 0; round < 800; round++) {
                byte[] b = full.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                assertDecodesOrRefusesCleanly(b, name + " round " + round);
            }
        }
    }

    private static NetlinkAttribute listElem(NetlinkMessageBuilder exprData, String name) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(0, 0, LE).beginNested(NftConstants.NFTA_LIST_ELEM)
                .attrString(NftConstants.NFTA_EXPR_NAME, name);
        byte[] data = exprData.build(0, 0);
        b.rawNested(NftConstants.NFTA_EXPR_DATA, java.util.Arrays.copyOfRange(data, 16, data.length)).endNested();
        byte[] m = b.build(0, 0);
        return io.svcproxy.netlink.NetlinkAttributes.parse(m, 16, m.length - 16, LE).all().get(0);
    }

    @Test
    void unknownOrUnrepresentableExpressionsBecomeOther() {
        NftExpr counter = NftExprCodec.decode(listElem(new NetlinkMessageBuilder(0, 0, LE)
                .attr(1, new byte[8]).attr(2, new byte[8]), "counter"));
        assertInstanceOf(NftExpr.Other.class, counter);
        assertEquals("counter", ((NftExpr.Other) counter).name());
        // payload with a source register is a payload write: not our Payload
        NftExpr write = NftExprCodec.decode(listElem(new NetlinkMessageBuilder(0, 0, LE)
                .attrU32BigEndian(1, 1).attrU32BigEndian(2, 1).attrU32BigEndian(3, 12).attrU32BigEndian(4, 4)
                .attrU32BigEndian(5, 1), "payload"));
        assertInstanceOf(NftExpr.Other.class, write);
        // a value too short for its attribute
        NftExpr shortValue = NftExprCodec.decode(listElem(new NetlinkMessageBuilder(0, 0, LE)
                .attr(NftConstants.NFTA_META_KEY, new byte[2]).attrU32BigEndian(NftConstants.NFTA_META_DREG, 1), "meta"));
        assertInstanceOf(NftExpr.Other.class, shortValue);
        // an unknown verdict code
        NftExpr badVerdict = NftExprCodec.decode(listElem(new NetlinkMessageBuilder(0, 0, LE)
                .attrU32BigEndian(NftConstants.NFTA_IMMEDIATE_DREG, 0)
                .beginNested(NftConstants.NFTA_IMMEDIATE_DATA).beginNested(NftConstants.NFTA_DATA_VERDICT)
                .attrU32BigEndian(NftConstants.NFTA_VERDICT_CODE, 77).endNested().endNested(), "immediate"));
        assertInstanceOf(NftExpr.Other.class, badVerdict);
        // a known expression's data that is not an attribute stream
        NetlinkMessageBuilder garbage = new NetlinkMessageBuilder(0, 0, LE).attr(1, new byte[] {1, 2, 3, 4});
        NftExpr other = NftExprCodec.decode(listElem(garbage, "cmp"));
        assertInstanceOf(NftExpr.Other.class, other);
    }

    @Test
    void anOtherExpressionIsWrittenBackAsItWasRead() {
        NetlinkAttribute counter = listElem(new NetlinkMessageBuilder(0, 0, LE)
                .attr(1, new byte[] {0, 0, 0, 0, 0, 0, 0, 9}).attr(2, new byte[] {0, 0, 0, 0, 0, 0, 0, 1}), "counter");
        NftExpr decoded = NftExprCodec.decode(counter);
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(0, 0, LE);
        NftExprCodec.encode(b, decoded, null, null, 0, n -> 0);
        byte[] m = b.build(0, 0);
        assertEquals(java.util.HexFormat.of().formatHex(counter.value()),
                java.util.HexFormat.of().formatHex(java.util.Arrays.copyOfRange(m, 20, m.length)));
    }

    @Test
    void userDataIsReadLeniently() {
        assertNull(NftUserdata.comment(new byte[] {0, 50, 'a'}, 0), "a TLV longer than the data ends the list");
        assertEquals("hi", NftUserdata.comment(new byte[] {3, 1, 9, 0, 3, 'h', 'i', 0}, 0));
        assertEquals("x", NftUserdata.comment(new byte[] {0, 1, 'x'}, 0), "no NUL: up to the end");
        assertNull(NftUserdata.comment(new byte[0], 7));
    }

    @Test
    void aSetOfAnUnknownTypeIsAClearError() {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(
                NetlinkConstants.nfnlMessageType(NetlinkConstants.NFNL_SUBSYS_NFTABLES, NftConstants.NFT_MSG_NEWSET), 0, LE)
                .nfgenmsg(2, 0, 0).attrString(NftConstants.NFTA_SET_TABLE, "kube-proxy")
                .attrString(NftConstants.NFTA_SET_NAME, "weird").attrU32BigEndian(NftConstants.NFTA_SET_KEY_TYPE, 42)
                .attrU32BigEndian(NftConstants.NFTA_SET_KEY_LEN, 4);
        byte[] m = b.build(1, 0);
        NetlinkMessage msg = NetlinkMessages.parse(m, m.length, LE).get(0);
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> NftTableDecoder.set(msg));
        assertTrue(e.getMessage().contains("set weird"), e.getMessage());
        NetlinkParseException missing = assertThrows(NetlinkParseException.class, () -> NftTableDecoder.table(
                NftFamily.IP, "kube-proxy", msg, List.of(), List.of(msg), List.of(), Map.of()));
        assertTrue(missing.getMessage().contains("weird"), missing.getMessage());
    }
}
