package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.GenericNetlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkMessages;
import io.svcproxy.testing.HexFixture;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our IPVS parser on the kernel's own replies, recorded in the IPVS VM by {@code IpvsVmSelfTest --record}
 * into test-fixtures/netlink (little-endian x86). Our requests are compared with what the real ipvsadm
 * sends in {@link IpvsadmRequestsTest} (they used to be compared here with copies of themselves).
 */
class IpvsGoldenMessagesTest {
    static final Path DIR = Path.of("test-fixtures/netlink");
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final InetAddress VIP = Addresses.parseIp("10.96.0.10");
    private static final InetAddress VIP6 = Addresses.parseIp("fd00:96::10");
    private static final VirtualServer SVC = new VirtualServer(VIP, Protocol.TCP, 80, "rr", 0, 0, 0xffffffff);
    private static final VirtualServer SVC6 = new VirtualServer(VIP6, Protocol.UDP, 53, "wrr",
            IpvsConstants.IP_VS_SVC_F_PERSISTENT, 10800, 128);
    private static final RealServer DEST = RealServer.of(Addresses.parseIp("10.0.2.2"), 8080);

    static Path file(String name) {
        return DIR.resolve(name + ".hex");
    }

    static int familyId() {
        return Integer.parseInt(HexFixture.comment(file("genl-ctrl-getfamily-ipvs-reply"), "family-id"));
    }

    static List<NetlinkMessage> replies(String name) {
        byte[] bytes = HexFixture.read(file(name));
        return NetlinkMessages.parse(bytes, bytes.length, LE);
    }

    @Test
    void parsesTheKernelsFamilyReply() {
        GenericNetlink.Family f = GenericNetlink.parseFamily(replies("genl-ctrl-getfamily-ipvs-reply").get(0));
        assertEquals("IPVS", f.name());
        assertEquals(familyId(), f.id());
        assertEquals(IpvsConstants.IPVS_GENL_VERSION, f.version());
        assertEquals(IpvsConstants.IPVS_CMD_ATTR_TIMEOUT_UDP, f.maxAttribute());
    }

    @Test
    void parsesTheKernelsServiceDump() {
        List<NetlinkMessage> dump = replies("ipvs-get-service-dump-reply");
        assertEquals(2, dump.size());
        for (NetlinkMessage m : dump) {
            assertEquals(familyId(), m.type());
            assertTrue(m.hasFlag(NetlinkConstants.NLM_F_MULTI));
            assertEquals(IpvsConstants.IPVS_CMD_NEW_SERVICE, m.payload()[0]);
        }
        List<VirtualServer> services = dump.stream().map(IpvsMessages::parseService).map(Optional::orElseThrow).toList();
        assertTrue(services.contains(SVC), services.toString());
        assertTrue(services.contains(SVC6), services.toString());
    }

    @Test
    void parsesTheKernelsDestinationDump() {
        List<NetlinkMessage> dump = replies("ipvs-get-dest-dump-reply");
        assertEquals(1, dump.size());
        // Recorded after the selftest's traffic: the kernel still held 5 inactive connections to 10.0.2.2:8080
        // in that namespace and counts them for the re-added destination.
        assertEquals(new RealServer(DEST.address(), 8080, 1, 0, 5), IpvsMessages.parseDest(dump.get(0), NetlinkConstants.AF_INET));
        assertEquals(IpvsConstants.IP_VS_CONN_F_MASQ, IpvsMessages.parseDestForwardMethod(dump.get(0)));
    }

    @Test
    void parsesTheKernelsTimeouts() {
        assertEquals(new IpvsTimeouts(900, 120, 300), IpvsMessages.parseConfig(replies("ipvs-get-config-reply").get(0)));
    }
}
