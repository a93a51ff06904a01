package io.svcproxy.bench;

import io.svcproxy.model.Addresses;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkMessages;
import io.svcproxy.netlink.conntrack.ConntrackEntry;
import io.svcproxy.netlink.conntrack.ConntrackMessages;
import io.svcproxy.netlink.conntrack.ConntrackTuple;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import static io.svcproxy.netlink.NetlinkConstants.*;

/**
 * The netlink codec on the conntrack cleanup path, per message: decode one dumped entry (as
 * ctnetlink sends it) and encode the delete request for it; and the two as one round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NetlinkBenchmark {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    byte[] dumped;
    ConntrackEntry entry;

    @Setup(Level.Trial)
    public void setUp() {
        ConntrackTuple orig = new ConntrackTuple(Addresses.parseIp("10.0.0.1"), Addresses.parseIp("10.96.0.10"),
                IPPROTO_UDP, 40000, 53);
        ConntrackTuple reply = new ConntrackTuple(Addresses.parseIp("10.244.1.5"), Addresses.parseIp("10.0.0.1"),
                IPPROTO_UDP, 53, 40000);
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(nfnlMessageType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW),
                NLM_F_MULTI, ORDER).nfgenmsg(AF_INET, 0, 0);
        ConntrackMessages.appendTuple(b, CTA_TUPLE_ORIG, orig);
        ConntrackMessages.appendTuple(b, CTA_TUPLE_REPLY, reply);
        b.attrU32BigEndian(CTA_STATUS, 0x8).attrU32BigEndian(CTA_TIMEOUT, 120).attrU32BigEndian(CTA_ID, 0xcafe);
        dumped = b.build(1, 2);
        entry = decode();
    }

    /** A dumped IPCTNL_MSG_CT_NEW message -> ConntrackEntry. */
    @Benchmark
    public ConntrackEntry decode() {
        NetlinkMessage m = NetlinkMessages.parse(dumped, dumped.length, ORDER).get(0);
        return ConntrackMessages.parseEntry(m);
    }

    /** ConntrackEntry -> the IPCTNL_MSG_CT_DELETE request bytes. */
    @Benchmark
    public byte[] encodeDelete() {
        return ConntrackMessages.deleteRequest(entry, ORDER).build(3, 0);
    }

    /** Decode a dumped entry and encode its delete: what cleanup does per matching entry. */
    @Benchmark
    public byte[] roundTrip() {
        return ConntrackMessages.deleteRequest(decode(), ORDER).build(3, 0);
    }
}
