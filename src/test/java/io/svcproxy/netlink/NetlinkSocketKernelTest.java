package io.svcproxy.netlink;

import io.svcproxy.netlink.conntrack.ConntrackEntry;
import io.svcproxy.netlink.conntrack.ConntrackMessages;
import io.svcproxy.netlink.conntrack.ConntrackTuple;
import io.svcproxy.model.Addresses;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native layer against the real kernel, inside a throw-away namespace. */
@KernelTest(tools = "conntrack")
class NetlinkSocketKernelTest {

    @Test
    void netlinkIsAvailableAsRoot() {
        Netlink.Availability a = Netlink.availability();
        assertTrue(a.available(), a.reason());
    }

    @Test
    void dumpsTheNamespacesTableAndMapsKernelErrorsToErrno() {
        try (NetNs ns = NetNs.create()) {
            ns.runChecked("conntrack", "-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.96.0.10", "--sport", "1234",
                    "--dport", "53", "-r", "10.244.1.5", "-q", "10.0.0.1", "--reply-port-src", "53",
                    "--reply-port-dst", "1234", "--timeout", "120");
            try (NetlinkSocket socket = NetnsSockets.netfilter(ns).get()) {
                assertTrue(socket.portId() != 0);
                List<NetlinkMessage> dump = socket.dump(
                        ConntrackMessages.dumpRequest(NetlinkConstants.AF_INET, ByteOrder.nativeOrder()), "dump");
                assertEquals(1, dump.size());
                ConntrackEntry e = ConntrackMessages.parseEntry(dump.get(0));
                assertEquals(Addresses.parseIp("10.244.1.5"), e.reply().source());
                assertEquals(53, e.original().destinationPort());
                assertEquals(0, socket.dump(
                        ConntrackMessages.dumpRequest(NetlinkConstants.AF_INET6, ByteOrder.nativeOrder()), "dump").size());

                socket.acknowledged(ConntrackMessages.deleteRequest(e, ByteOrder.nativeOrder()), "delete");
                NetlinkException gone = assertThrows(NetlinkException.class, () -> socket.acknowledged(
                        ConntrackMessages.deleteRequest(e, ByteOrder.nativeOrder()), "delete again"));
                assertEquals(NetlinkConstants.ENOENT, gone.errno());
                assertEquals("ENOENT", gone.errnoName());

                ConntrackTuple t = e.original();
                assertTrue(t.source().getHostAddress().equals("10.0.0.1"));
            }
            assertTrue(ns.runChecked("conntrack", "-L").isBlank());
        }
    }

    @Test
    void workRunsInTheNamespaceAndFailuresPropagate() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> NetworkNamespaces.callIn("/run/netns/svcp-does-not-exist", () -> "never"));
        assertEquals(NetlinkConstants.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> NetworkNamespaces.callIn("/proc/self/ns/net", () -> {
            throw new UnsupportedOperationException("boom");
        }));
    }
}
