package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.testing.HexFixture;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Records the nf_tables fixtures (run on purpose only:
 * {@code mvn -o test -Dtest=NftFixtureRecorder -Dsvcproxy.record=nftables}): loads
 * small-ruleset.nft (and its IPv6 twin) with nft in a fresh namespace under strace, keeping the batch nft sent, and
 * keeps the kernel's replies to our read of the table (each reply message as the kernel sent it:
 * header and payload).
 */
@KernelTest(tools = {"nft", "strace"})
@EnabledIfSystemProperty(named = "svcproxy.record", matches = "nftables")
class NftFixtureRecorder {
    static final Path DIR = Path.of("test-fixtures/netlink/nftables");

    @Test
    void record() throws IOException {
        record("small-ruleset", NftFamily.IP);
        record("small-ruleset-ip6", NftFamily.IP6);
        record("small-ruleset-extra", NftFamily.IP);
    }

    private static void record(String name, NftFamily family) throws IOException {
        Path ruleset = DIR.resolve(name + ".nft");
        String kernel = NetNs.exec(List.of("uname", "-r"), null).stdout().strip();
        String nft = NetNs.exec(List.of("nft", "--version"), null).stdout().strip();
        try (NetNs ns = NetNs.create()) {
            Path trace = Files.createTempFile("nft-strace", ".txt");
            try {
                ns.runChecked(List.of("strace", "-f", "-e", "trace=sendmsg", "-e", "write=all", "-o", trace.toString(),
                        "nft", "-f", ruleset.toString()), null);
                byte[] batch = NftStraceBatch.lastSentBuffer(Files.readString(trace));
                int messages = io.svcproxy.netlink.NetlinkMessages.parse(batch, batch.length, ByteOrder.nativeOrder())
                        .size();
                HexFixture.write(DIR.resolve(name + "-nft-batch.hex"), List.of(
                        "The batch " + nft + " sent for `nft -f " + name + ".nft` (kernel " + kernel + ", "
                                + ByteOrder.nativeOrder() + "),",
                        "recorded with strace -e write=all (NftFixtureRecorder): " + messages
                                + " messages, BATCH_BEGIN and BATCH_END included."),
                        batch);
            } finally {
                Files.deleteIfExists(trace);
            }
            try (NetlinkNftKernel k = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
                String table = name.endsWith("-extra") ? "svcp-extra" : "kube-proxy";
                NetlinkNftKernel.NftDump d = k.dump(family, table);
                String from = "the kernel's replies (" + kernel + ", " + ByteOrder.nativeOrder()
                        + ") to NetlinkNftKernel's read of " + family.keyword() + " " + table + " after `nft -f " + name
                        + ".nft`";
                write(name + "-gettable-reply", from + ": GETTABLE", List.of(d.table()));
                write(name + "-getchain-replies", from + ": GETCHAIN dump", d.chains());
                write(name + "-getset-replies", from + ": GETSET dump", d.sets());
                write(name + "-getrule-replies", from + ": GETRULE dump", d.rules());
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (Map.Entry<String, List<NetlinkMessage>> e : d.elements().entrySet()) {
                    all.writeBytes(serialize(e.getValue()));
                }
                HexFixture.write(DIR.resolve(name + "-getsetelem-replies.hex"),
                        List.of(from + ": GETSETELEM dump of every set, one after the other"), all.toByteArray());
            }
        }
    }

    private static void write(String name, String what, List<NetlinkMessage> messages) {
        HexFixture.write(DIR.resolve(name + ".hex"), List.of(what), serialize(messages));
    }

    static byte[] serialize(List<NetlinkMessage> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (NetlinkMessage m : messages) {
            int len = 16 + m.payload().length;
            ByteBuffer h = ByteBuffer.allocate(16).order(m.order());
            h.putInt(len).putShort((short) m.type()).putShort((short) m.flags()).putInt(m.seq()).putInt(m.portId());
            out.writeBytes(h.array());
            out.writeBytes(m.payload());
            out.writeBytes(new byte[((len + 3) & ~3) - len]);
        }
        return out.toByteArray();
    }
}
