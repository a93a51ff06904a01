package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkMessages;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftApplyException;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch framing, splitting and op bookkeeping, and the mapping of the kernel's answers to ops. */
class NftBatchEncoderTest {
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final NftFamily IP = NftFamily.IP;

    static NftOp anonymousVmapRule() {
        NftSet vmap = new NftSet("__map", NftKeyType.of(NftType.INTEGER), NftKeyType.of(NftType.VERDICT),
                NftSet.F_ANONYMOUS | NftSet.F_CONSTANT | NftSet.F_MAP, 0, 0, null,
                List.of(NftElement.verdict(Bytes.host32(0), NftVerdict.goTo("endpoint-a"), null)));
        return new NftOp.AddRule(IP, "kube-proxy", "service-a", new NftRule(List.of(
                new NftExpr.Numgen(1, 1, NftExpr.Numgen.RANDOM, 0),
                new NftExpr.Lookup(new NftExpr.Anonymous(vmap), 1, 0, 0)), null));
    }

    @Test
    void aBatchIsFramedAndEveryMessageKnowsItsOp() {
        List<NftOp> ops = List.of(new NftOp.AddTable(IP, "kube-proxy", null), anonymousVmapRule(),
                new NftOp.DeleteSet(IP, "kube-proxy", "old"));
        NftBatchEncoder.Batch b = NftBatchEncoder.encode(ops, true, LE);
        List<Integer> types = new ArrayList<>();
        for (NetlinkMessageBuilder m : b.messages()) {
            types.add(m.type());
        }
        assertEquals(List.of(0x10, 0xa00, 0xa09, 0xa0c, 0xa06, 0xa0b, 0x11), types);
        assertEquals(List.of(-1, 0, 1, 1, 1, 2, -1), b.opIndex());
        for (int i = 1; i < b.messages().size() - 1; i++) {
            assertTrue((b.messages().get(i).flags() & NetlinkConstants.NLM_F_ACK) != 0, "message " + i + " asks for an ACK");
        }
        assertEquals(0, b.messages().get(0).flags() & NetlinkConstants.NLM_F_ACK, "the frame does not");
    }

    @Test
    void theKernelsAnswersNameTheFirstRefusedOp() {
        List<NftOp> ops = List.of(new NftOp.AddTable(IP, "kube-proxy", null), anonymousVmapRule(),
                new NftOp.DeleteSet(IP, "kube-proxy", "old"));
        NftBatchEncoder.Batch b = NftBatchEncoder.encode(ops, true, LE);
        int none = NetlinkSocket.NO_ANSWER;
        assertNull(NftBatchErrors.firstRefusal(ops, b, new int[] {none, 0, 0, 0, 0, 0, none}));
        // the anonymous set's elements are refused (a missing chain): the rule is named
        NftApplyException e = NftBatchErrors.firstRefusal(ops, b, new int[] {none, 0, 0, 2, 0, 2, none});
        assertSame(ops.get(1), e.op());
        assertEquals(2, e.errno());
        assertEquals("add rule ip kube-proxy service-a: ENOENT (and 1 later message(s) refused)", e.getMessage());
        NftApplyException frame = NftBatchErrors.firstRefusal(ops, b, new int[] {22, none, none, none, none, none, none});
        assertNull(frame.op());
        assertEquals(22, frame.errno());
        NftApplyException silent = NftBatchErrors.firstRefusal(ops, b, new int[] {none, 0, 0, none, 0, 0, none});
        assertNull(silent.op());
    }

    @Test
    void largeElementListsAreSplitBelowTheAttributeLimit() {
        List<NftElement> els = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            els.add(NftElement.verdict(Bytes.concat(Bytes.be32(0x0a600000 + i), Bytes.u8(6), Bytes.be16(80)),
                    NftVerdict.goTo("service-" + i), "ns/svc-" + i + ":http"));
        }
        NftBatchEncoder.Batch b = NftBatchEncoder.encode(
                List.of(new NftOp.AddElements(IP, "kube-proxy", "service-ips", els)), false, LE);
        int count = 0;
        for (int i = 1; i < b.messages().size() - 1; i++) {
            byte[] m = b.messages().get(i).build(i, 0);
            assertTrue(m.length < 60_000, "message " + i + " has " + m.length + " bytes");
            NetlinkMessage msg = NetlinkMessages.parse(m, m.length, LE).get(0);
            count += NftTableDecoder.elements(msg, new ArrayList<>()).size();
            assertEquals(0, (int) b.opIndex().get(i));
        }
        assertTrue(b.messages().size() > 10, "split into " + (b.messages().size() - 2) + " messages");
        assertEquals(els.size(), count);
    }

    @Test
    void intervalsMapBetweenRangesAndTheKernelsStartAndEndElements() {
        Bytes zero = Bytes.be32(0);
        List<NftElement> ranges = List.of(NftElement.data(Bytes.be32(0xc6336400), Bytes.be32(0xc6336480)),
                NftElement.data(Bytes.be32(0xc0000200), Bytes.be32(0xc0000300)));
        List<NftIntervals.KernelElement> kernel = NftIntervals.toKernel(ranges);
        assertEquals(List.of(new NftIntervals.KernelElement(zero, true),
                new NftIntervals.KernelElement(Bytes.be32(0xc0000200), false),
                new NftIntervals.KernelElement(Bytes.be32(0xc0000300), true),
                new NftIntervals.KernelElement(Bytes.be32(0xc6336400), false),
                new NftIntervals.KernelElement(Bytes.be32(0xc6336480), true)), kernel);
        List<NftIntervals.KernelElement> reversed = new ArrayList<>(kernel);
        java.util.Collections.reverse(reversed);
        assertEquals(List.of(ranges.get(1), ranges.get(0)), NftIntervals.fromKernel(reversed));

        // from address zero, and up to the top of the space (the end wraps to zero: no end element)
        List<NftElement> edges = List.of(NftElement.data(zero, Bytes.be32(0x0a000000)),
                NftElement.data(Bytes.be32(0xf0000000), zero));
        List<NftIntervals.KernelElement> k2 = NftIntervals.toKernel(edges);
        assertEquals(List.of(new NftIntervals.KernelElement(zero, false),
                new NftIntervals.KernelElement(Bytes.be32(0x0a000000), true),
                new NftIntervals.KernelElement(Bytes.be32(0xf0000000), false)), k2);
        assertEquals(edges, NftIntervals.fromKernel(k2));
        assertTrue(Arrays.asList(NftIntervals.toKernel(List.of()).toArray()).isEmpty());
    }
}
