package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.GenericNetlink;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.ipvs.IndependentIpvsDecoder.Message;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our IPVS requests against what the real ipvsadm (v1.31, libnl) sends for the same operation,
 * recorded in the IPVS VM with strace ({@code IpvsVmSelfTest --record}, test-fixtures/netlink/ipvsadm,
 * recorded.txt says how): bytes neither written nor read by our code. Where ipvsadm sends the same
 * request, ours is byte-exact with its bytes (built with its sequence number and port id). Where it
 * sends more, the two are decoded by {@link IndependentIpvsDecoder} and ipvsadm's message must be ours
 * plus exactly the listed extra attributes, each of which the kernel ignores or defaults to the same
 * value (net/netfilter/ipvs/ip_vs_ctl.c, ip_vs_genl_parse_service / ip_vs_genl_parse_dest).
 */
class IpvsadmRequestsTest {
    static final Path DIR = Path.of("test-fixtures/netlink/ipvsadm");
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final InetAddress VIP = Addresses.parseIp("10.96.0.10");
    private static final InetAddress VIP6 = Addresses.parseIp("fd00:96::10");
    /** ipvsadm -A -t 10.96.0.10:80 -s rr */
    private static final VirtualServer SVC = new VirtualServer(VIP, Protocol.TCP, 80, "rr", 0, 0, 0xffffffff);
    /** ipvsadm -A -u [fd00:96::10]:53 -s wrr -p 10800 -M 128 */
    private static final VirtualServer SVC6 = new VirtualServer(VIP6, Protocol.UDP, 53, "wrr",
            IpvsConstants.IP_VS_SVC_F_PERSISTENT, 10800, 128);
    /** -r 10.0.2.2:8080 -m -w 1 */
    private static final RealServer DEST = RealServer.of(Addresses.parseIp("10.0.2.2"), 8080);

    // linux/ip_vs.h enum IPVS_CMD_* (written out here, not taken from IpvsConstants)
    private static final int NEW_SERVICE = 1;
    private static final int SET_SERVICE = 2;
    private static final int DEL_SERVICE = 3;
    private static final int GET_SERVICE = 4;
    private static final int NEW_DEST = 5;
    private static final int SET_DEST = 6;
    private static final int DEL_DEST = 7;
    private static final int GET_DEST = 8;
    private static final int SET_CONFIG = 12;
    private static final int GET_CONFIG = 13;
    private static final int FLUSH = 17;

    /** What ipvsadm sent in one run: the raw bytes of each sendmsg. */
    static List<byte[]> sent(String run) {
        Path f = DIR.resolve(run + ".strace");
        assertTrue(Files.isRegularFile(f), f + " is missing");
        List<byte[]> buffers = IndependentIpvsDecoder.straceBuffers(f);
        assertTrue(!buffers.isEmpty(), f + " holds no dumped sendmsg");
        return buffers;
    }

    /** ipvsadm's one IPVS request with command {@code cmd} in that run (not the family lookup, not GET_INFO). */
    static byte[] ipvsadm(String run, int cmd) {
        List<byte[]> matching = sent(run).stream().filter(b -> {
            Message m = IndependentIpvsDecoder.decode(b);
            return m.type() != IndependentIpvsDecoder.GENL_ID_CTRL && m.cmd() == cmd;
        }).toList();
        assertEquals(1, matching.size(), run + ": requests with IPVS command " + cmd);
        return matching.get(0);
    }

    /** The IPVS family id, as the kernel gave it to ipvsadm (the nlmsg_type of its IPVS requests). */
    static int familyId() {
        return IndependentIpvsDecoder.decode(ipvsadm("add-service", NEW_SERVICE)).type();
    }

    /** Ours, built with the sequence number and port id ipvsadm's message carries, byte for byte equal. */
    private static void assertSameBytes(byte[] theirs, NetlinkMessageBuilder ours, String what) {
        Message m = IndependentIpvsDecoder.decode(theirs);
        assertEquals(HexFormat.of().formatHex(theirs), HexFormat.of().formatHex(ours.build(m.seq(), m.pid())), what);
    }

    @Test
    void theFixturesAreWhatIpvsadmSentToTheIpvsFamily() {
        // strace decoded the header itself: the family it names is IPVS, the one we address.
        String trace;
        try {
            trace = Files.readString(DIR.resolve("add-service.strace"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(trace.contains("nlmsg_type=IPVS"), "strace names the IPVS family");
        assertEquals(Integer.parseInt(io.svcproxy.testing.HexFixture.comment(
                Path.of("test-fixtures/netlink/genl-ctrl-getfamily-ipvs-reply.hex"), "family-id")), familyId(),
                "the family id of the recorded kernel reply");
        for (String run : List.of("add-service", "add-service6", "add-dest", "list", "edit-dest", "edit-service6",
                "del-dest", "del-service", "set-timeouts", "get-timeouts", "flush")) {
            for (byte[] b : sent(run)) {
                Message m = IndependentIpvsDecoder.decode(b);
                assertTrue(m.type() == IndependentIpvsDecoder.GENL_ID_CTRL || m.type() == familyId(), run + ": " + m);
                assertEquals(1, m.version(), run + ": genl version " + m);
            }
        }
    }

    @Test
    void theFamilyLookupIsByteExactWithIpvsadms() {
        byte[] theirs = sent("add-service").get(0);
        Message m = IndependentIpvsDecoder.decode(theirs);
        assertEquals(IndependentIpvsDecoder.GENL_ID_CTRL, m.type());
        assertEquals(IndependentIpvsDecoder.CTRL_CMD_GETFAMILY, m.cmd());
        assertEquals(Map.of("FAMILY_NAME", "4950565300"), m.attributes(), "\"IPVS\\0\"");
        assertSameBytes(theirs, GenericNetlink.getFamilyRequest("IPVS", LE), "CTRL_CMD_GETFAMILY IPVS");
    }

    @Test
    void serviceConfigAndDumpRequestsAreByteExactWithIpvsadms() {
        int id = familyId();
        assertSameBytes(ipvsadm("add-service", NEW_SERVICE), IpvsMessages.newService(id, SVC, LE),
                "NEW_SERVICE TCP 10.96.0.10:80 rr");
        assertSameBytes(ipvsadm("add-service6", NEW_SERVICE), IpvsMessages.newService(id, SVC6, LE),
                "NEW_SERVICE UDP [fd00:96::10]:53 wrr persistent 10800 netmask 128");
        // ipvsadm -E -u [fd00:96::10]:53 -s rr: persistence off, the netmask ipvsadm defaults to (128).
        assertSameBytes(ipvsadm("edit-service6", SET_SERVICE),
                IpvsMessages.setService(id, new VirtualServer(VIP6, Protocol.UDP, 53, "rr", 0, 0, 128), LE),
                "SET_SERVICE UDP [fd00:96::10]:53 rr");
        assertSameBytes(ipvsadm("list", GET_SERVICE), IpvsMessages.getServices(id, LE), "GET_SERVICE dump");
        List<byte[]> destDumps = sent("list").stream()
                .filter(b -> IndependentIpvsDecoder.decode(b).cmd() == GET_DEST
                        && IndependentIpvsDecoder.decode(b).type() == familyId()).toList();
        assertEquals(2, destDumps.size(), "ipvsadm -Ln dumps the destinations of each of the two services");
        assertSameBytes(destDumps.get(0), IpvsMessages.getDests(id, SVC.key(), LE), "GET_DEST dump of TCP 10.96.0.10:80");
        assertSameBytes(destDumps.get(1), IpvsMessages.getDests(id, SVC6.key(), LE), "GET_DEST dump of UDP [fd00:96::10]:53");
        assertSameBytes(ipvsadm("set-timeouts", SET_CONFIG), IpvsMessages.setConfig(id, new IpvsTimeouts(901, 121, 301), LE),
                "SET_CONFIG 901 121 301");
        assertSameBytes(ipvsadm("get-timeouts", GET_CONFIG), IpvsMessages.getConfig(id, LE), "GET_CONFIG");
        assertSameBytes(ipvsadm("flush", FLUSH), IpvsMessages.flush(id, LE), "FLUSH");
    }

    /**
     * What ipvsadm also sends in the service nest of a command that only names a service (libipvs
     * fills the whole ipvs_service_t): the kernel reads only AF, PROTOCOL, ADDR and PORT unless the
     * command creates or changes the service (ip_vs_genl_parse_service, full_entry false).
     */
    private static final Map<String, String> IPVSADM_SERVICE_REST = Map.of(
            "SERVICE.SCHED_NAME", "00",                   // "" (no -s given)
            "SERVICE.FLAGS", "00000000ffffffff",         // flags 0, mask all
            "SERVICE.TIMEOUT", "00000000",
            "SERVICE.NETMASK", "ffffffff");

    /**
     * The tunnel attributes of ipvsadm 1.31 (kernel 5.2+): it always sends them, 0 when not a GUE/GRE
     * tunnel; the kernel takes 0 for each when absent (ip_vs_genl_parse_dest leaves the zeroed udest).
     */
    private static final Map<String, String> IPVSADM_TUNNEL_ZEROES = Map.of(
            "DEST.TUN_TYPE", "00",
            "DEST.TUN_PORT", "0000",
            "DEST.TUN_FLAGS", "0000");

    /** theirs == ours + extra, attribute for attribute, headers equal but for seq and port id. */
    private static void assertOursPlus(byte[] theirs, NetlinkMessageBuilder ours, Map<String, String> extra,
                                       Map<String, String> differing, String what) {
        Message t = IndependentIpvsDecoder.decode(theirs);
        Message o = IndependentIpvsDecoder.decode(ours.build(t.seq(), t.pid()));
        assertEquals(t.type(), o.type(), what + ": family");
        assertEquals(t.flags(), o.flags(), what + ": flags");
        assertEquals(t.cmd(), o.cmd(), what + ": command");
        assertEquals(t.version(), o.version(), what + ": version");
        Map<String, String> expected = new TreeMap<>(o.attributes());
        expected.putAll(extra);
        expected.putAll(differing);
        assertEquals(expected, t.attributes(), what + ": ipvsadm's attributes are ours plus " + extra.keySet()
                + (differing.isEmpty() ? "" : ", with " + differing + " instead of ours"));
        for (String k : extra.keySet()) {
            assertTrue(!o.attributes().containsKey(k), what + ": we do not send " + k);
        }
    }

    private static Map<String, String> plus(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new TreeMap<>(a);
        m.putAll(b);
        return m;
    }

    @Test
    void deleteServiceCarriesIpvsadmsKeyAndNoneOfWhatTheKernelIgnores() {
        assertOursPlus(ipvsadm("del-service", DEL_SERVICE), IpvsMessages.delService(familyId(), SVC.key(), LE),
                IPVSADM_SERVICE_REST, Map.of(), "DEL_SERVICE TCP 10.96.0.10:80");
    }

    @Test
    void destinationRequestsCarryIpvsadmsAttributesButTheZeroTunnelOnes() {
        int id = familyId();
        Map<String, String> extra = plus(IPVSADM_SERVICE_REST, IPVSADM_TUNNEL_ZEROES);
        assertOursPlus(ipvsadm("add-dest", NEW_DEST), IpvsMessages.newDest(id, SVC.key(), DEST, LE), extra, Map.of(),
                "NEW_DEST 10.0.2.2:8080 masq weight 1");
        assertOursPlus(ipvsadm("edit-dest", SET_DEST),
                IpvsMessages.setDest(id, SVC.key(), new RealServer(DEST.address(), 8080, 0, 0, 0), LE), extra, Map.of(),
                "SET_DEST 10.0.2.2:8080 masq weight 0");
        // ipvsadm -d names no forwarding method and sends its default, direct routing (IP_VS_CONN_F_DROUTE
        // = 3), where we send masquerading (0): the kernel reads FWD_METHOD only when it creates or
        // changes a destination (ip_vs_genl_parse_dest, full_entry false for DEL_DEST).
        assertOursPlus(ipvsadm("del-dest", DEL_DEST), IpvsMessages.delDest(id, SVC.key(), DEST, LE), extra,
                Map.of("DEST.FWD_METHOD", "03000000"), "DEL_DEST 10.0.2.2:8080");
    }

    @Test
    void theDecoderReadsWhatIpvsadmMeantByItsArguments() {
        // The yardstick itself: ipvsadm's NEW_DEST, read attribute by attribute as the UAPI lays it out.
        Message m = IndependentIpvsDecoder.decode(ipvsadm("add-dest", NEW_DEST));
        assertEquals("0200", m.attributes().get("SERVICE.AF"), "AF_INET");
        assertEquals("0600", m.attributes().get("SERVICE.PROTOCOL"), "IPPROTO_TCP");
        assertEquals("0a60000a000000000000000000000000", m.attributes().get("SERVICE.ADDR"), "10.96.0.10, 16 bytes");
        assertEquals("0050", m.attributes().get("SERVICE.PORT"), "80, network order");
        assertEquals("0200", m.attributes().get("DEST.ADDR_FAMILY"));
        assertEquals("0a000202000000000000000000000000", m.attributes().get("DEST.ADDR"), "10.0.2.2");
        assertEquals("1f90", m.attributes().get("DEST.PORT"), "8080, network order");
        assertEquals("00000000", m.attributes().get("DEST.FWD_METHOD"), "-m: masquerading");
        assertEquals("01000000", m.attributes().get("DEST.WEIGHT"), "-w 1");
        assertEquals("nested", m.attributes().get("SERVICE"));
        assertEquals("nested", m.attributes().get("DEST"));
    }
}
