package io.svcproxy.netlink.nftables;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A socket that joined nf_tables' multicast group receives the kernel's notification of a commit. */
@KernelTest
class NetlinkNotificationsTest {
    @Test
    void aJoinedSocketReceivesTheCommitOfAnotherSocketsBatch() {
        try (NetNs ns = NetNs.create();
             NetlinkSocket listener = NetworkNamespaces.callIn(NetnsSockets.nsFile(ns),
                     () -> Netlink.open(NetlinkConstants.NETLINK_NETFILTER, Duration.ofMillis(500)));
             NetlinkNftKernel writer = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
            listener.joinGroup(7, 1 << 20);
            String table = "svcp-notify-test";
            writer.apply(io.svcproxy.diff.nftables.NftDiff.diff(null, new NftTable(NftFamily.IP, table, "test",
                    Map.of("c", NftChain.regular("c", List.of())), Map.of())).ops());
            boolean seen = false;
            for (int i = 0; i < 20 && !seen; i++) {
                Optional<byte[]> d = listener.receiveDatagram();
                seen = d.isPresent() && new String(d.get(), StandardCharsets.ISO_8859_1).contains(table);
            }
            assertTrue(seen, "a notification naming the new table arrived");
        }
    }
}
