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
 * small-ruleset.nft with nft in a fresh namespace under strace, keeping the batch nft sent, and
 * keeps the kernel's replies to our read of the table (each reply message as the kernel sent it:
 * header and payload).
 */
@KernelTest(tools = {"nft", "strace"})
@EnabledIfSystemProperty(named = "svcproxy.record", matches = "nftables")
class NftFixtureRecorder {
    static final Path DIR = Path.of("test-fixtures/netlink/nftables");

    @Test
    void record() throws IOException {
        Path ruleset = DIR.resolve("small-ruleset.nft");
        String kernel = NetNs.exec(List.of("uname", "-r"), null).stdout().strip();
        String nft = NetNs.exec(List.of("nft", "--version"), null).stdout().strip();
        try (NetNs ns = NetNs.create()) {
            Path trace = Files.createTempFile("nft-strace", ".txt");
            try {
                ns.runChecked(List.of("strace", "-f", "-e", "trace=sendmsg", "-e", "write=all", "-o", trace.toString(),
                        "nft", "-f", ruleset.toString()), null);
                byte[] batch = NftStraceBatch.lastSentBuffer(Files.readString(trace));
                HexFixture.write(DIR.resolve("small-ruleset-nft-batch.hex"), List.of(
                        "The batch " + nft + " sent for `nft -f small-ruleset.nft` (kernel " + kernel + ", "
                                + ByteOrder.nativeOrder() + "),",
                        "recorded with strace -e write=all (NftFixtureRecorder): BATCH_BEGIN, 57 messages, BATCH_END."),
                        batch);
            } finally {
                Files.deleteIfExists(trace);
            }
            try (NetlinkNftKernel k = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
                NetlinkNftKernel.NftDump d = k.dump(NftFamily.IP, "kube-proxy");
                String from = "the kernel's replies (" + kernel + ", " + ByteOrder.nativeOrder()
                        + ") to NetlinkNftKernel's read of ip kube-proxy after `nft -f small-ruleset.nft`";
                write("small-ruleset-gettable-reply", from + ": GETTABLE", List.of(d.table()));
                write("small-ruleset-getchain-replies", from + ": GETCHAIN dump", d.chains());
                write("small-ruleset-getset-replies", from + ": GETSET dump", d.sets());
                write("small-ruleset-getrule-replies", from + ": GETRULE dump", d.rules());
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (Map.Entry<String, List<NetlinkMessage>> e : d.elements().entrySet()) {
                    all.writeBytes(serialize(e.getValue()));
                }
                HexFixture.write(DIR.resolve("small-ruleset-getsetelem-replies.hex"),
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
