package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.NetlinkAttribute;
import io.svcproxy.netlink.NetlinkAttributes;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkParseException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

import static io.svcproxy.netlink.NetlinkConstants.*;
import static io.svcproxy.netlink.ipvs.IpvsConstants.*;

/**
 * The IPVS generic netlink wire format (linux/ip_vs.h), without any I/O. Attributes are written in
 * the order ipvsadm's libipvs and kube-proxy's netlink library write them; addresses are 16 bytes
 * (union nf_inet_addr), ports big-endian, everything else host order. Every request asks for an
 * acknowledgement, so a refusal arrives as an errno.
 */
public final class IpvsMessages {
    private IpvsMessages() {
    }

    // ---------------------------------------------------------------- requests

    public static NetlinkMessageBuilder newService(int familyId, VirtualServer service, ByteOrder order) {
        return serviceCommand(familyId, IPVS_CMD_NEW_SERVICE, service, order);
    }

    public static NetlinkMessageBuilder setService(int familyId, VirtualServer service, ByteOrder order) {
        return serviceCommand(familyId, IPVS_CMD_SET_SERVICE, service, order);
    }

    public static NetlinkMessageBuilder delService(int familyId, VirtualServer.Key key, ByteOrder order) {
        NetlinkMessageBuilder b = request(familyId, IPVS_CMD_DEL_SERVICE, NLM_F_REQUEST | NLM_F_ACK, order);
        b.beginNested(IPVS_CMD_ATTR_SERVICE);
        serviceKey(b, key);
        return b.endNested();
    }

    /** Dump of every service (answered with one IPVS_CMD_NEW_SERVICE per service). */
    public static NetlinkMessageBuilder getServices(int familyId, ByteOrder order) {
        return request(familyId, IPVS_CMD_GET_SERVICE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, order);
    }

    public static NetlinkMessageBuilder newDest(int familyId, VirtualServer.Key key, RealServer dest, ByteOrder order) {
        return destCommand(familyId, IPVS_CMD_NEW_DEST, key, dest, order);
    }

    public static NetlinkMessageBuilder setDest(int familyId, VirtualServer.Key key, RealServer dest, ByteOrder order) {
        return destCommand(familyId, IPVS_CMD_SET_DEST, key, dest, order);
    }

    public static NetlinkMessageBuilder delDest(int familyId, VirtualServer.Key key, RealServer dest, ByteOrder order) {
        return destCommand(familyId, IPVS_CMD_DEL_DEST, key, dest, order);
    }

    /** Dump of one service's destinations (answered with one IPVS_CMD_NEW_DEST each). */
    public static NetlinkMessageBuilder getDests(int familyId, VirtualServer.Key key, ByteOrder order) {
        NetlinkMessageBuilder b = request(familyId, IPVS_CMD_GET_DEST, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, order);
        b.beginNested(IPVS_CMD_ATTR_SERVICE);
        serviceKey(b, key);
        return b.endNested();
    }

    /** The connection timeouts (answered with one IPVS_CMD_SET_CONFIG, then the ACK). */
    public static NetlinkMessageBuilder getConfig(int familyId, ByteOrder order) {
        return request(familyId, IPVS_CMD_GET_CONFIG, NLM_F_REQUEST | NLM_F_ACK, order);
    }

    public static NetlinkMessageBuilder setConfig(int familyId, IpvsTimeouts t, ByteOrder order) {
        return request(familyId, IPVS_CMD_SET_CONFIG, NLM_F_REQUEST | NLM_F_ACK, order)
                .attrU32(IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcpSeconds())
                .attrU32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFinSeconds())
                .attrU32(IPVS_CMD_ATTR_TIMEOUT_UDP, t.udpSeconds());
    }

    public static NetlinkMessageBuilder flush(int familyId, ByteOrder order) {
        return request(familyId, IPVS_CMD_FLUSH, NLM_F_REQUEST | NLM_F_ACK, order);
    }

    private static NetlinkMessageBuilder request(int familyId, int cmd, int flags, ByteOrder order) {
        return new NetlinkMessageBuilder(familyId, flags, order).genlmsghdr(cmd, IPVS_GENL_VERSION);
    }

    private static NetlinkMessageBuilder serviceCommand(int familyId, int cmd, VirtualServer s, ByteOrder order) {
        NetlinkMessageBuilder b = request(familyId, cmd, NLM_F_REQUEST | NLM_F_ACK, order);
        b.beginNested(IPVS_CMD_ATTR_SERVICE);
        serviceKey(b, s.key());
        b.attrString(IPVS_SVC_ATTR_SCHED_NAME, s.scheduler());
        b.attr(IPVS_SVC_ATTR_FLAGS, ByteBuffer.allocate(IP_VS_FLAGS_LEN).order(order)
                .putInt(s.flags()).putInt(0xffffffff).array());
        b.attrU32(IPVS_SVC_ATTR_TIMEOUT, Integer.toUnsignedLong(s.timeoutSeconds()));
        b.attrU32(IPVS_SVC_ATTR_NETMASK, Integer.toUnsignedLong(s.netmask()));
        return b.endNested();
    }

    private static void serviceKey(NetlinkMessageBuilder b, VirtualServer.Key key) {
        b.attrU16(IPVS_SVC_ATTR_AF, af(key.address()));
        b.attrU16(IPVS_SVC_ATTR_PROTOCOL, protocolNumber(key.protocol()));
        b.attr(IPVS_SVC_ATTR_ADDR, address16(key.address()));
        b.attrU16BigEndian(IPVS_SVC_ATTR_PORT, key.port());
    }

    private static NetlinkMessageBuilder destCommand(int familyId, int cmd, VirtualServer.Key key, RealServer d,
                                                     ByteOrder order) {
        NetlinkMessageBuilder b = request(familyId, cmd, NLM_F_REQUEST | NLM_F_ACK, order);
        b.beginNested(IPVS_CMD_ATTR_SERVICE);
        serviceKey(b, key);
        b.endNested();
        b.beginNested(IPVS_CMD_ATTR_DEST);
        b.attrU16(IPVS_DEST_ATTR_ADDR_FAMILY, af(d.address()));
        b.attr(IPVS_DEST_ATTR_ADDR, address16(d.address()));
        b.attrU16BigEndian(IPVS_DEST_ATTR_PORT, d.port());
        b.attrU32(IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_MASQ);
        b.attrU32(IPVS_DEST_ATTR_WEIGHT, d.weight());
        b.attrU32(IPVS_DEST_ATTR_U_THRESH, 0);
        b.attrU32(IPVS_DEST_ATTR_L_THRESH, 0);
        return b.endNested();
    }

    // ---------------------------------------------------------------- replies

    /**
     * One service of a GET_SERVICE dump; empty for a firewall-mark service (no address, not ours).
     * IP_VS_SVC_F_HASHED is masked off.
     */
    public static Optional<VirtualServer> parseService(NetlinkMessage m) {
        NetlinkAttributes top = m.attributes(GENL_HDRLEN);
        NetlinkAttributes a = top.require(IPVS_CMD_ATTR_SERVICE, "IPVS_CMD_ATTR_SERVICE").nested();
        if (a.get(IPVS_SVC_ATTR_FWMARK).map(NetlinkAttribute::u32).orElse(0L) != 0
                || a.get(IPVS_SVC_ATTR_ADDR).isEmpty()) {
            return Optional.empty();
        }
        int af = a.require(IPVS_SVC_ATTR_AF, "IPVS_SVC_ATTR_AF").u16();
        InetAddress address = address(a.require(IPVS_SVC_ATTR_ADDR, "IPVS_SVC_ATTR_ADDR"), af);
        Protocol protocol = protocol(a.require(IPVS_SVC_ATTR_PROTOCOL, "IPVS_SVC_ATTR_PROTOCOL").u16());
        int port = a.require(IPVS_SVC_ATTR_PORT, "IPVS_SVC_ATTR_PORT").u16BigEndian();
        String scheduler = a.require(IPVS_SVC_ATTR_SCHED_NAME, "IPVS_SVC_ATTR_SCHED_NAME").string();
        byte[] flagsValue = a.require(IPVS_SVC_ATTR_FLAGS, "IPVS_SVC_ATTR_FLAGS").value();
        if (flagsValue.length < 4) {
            throw new NetlinkParseException("IPVS_SVC_ATTR_FLAGS of " + flagsValue.length + " bytes");
        }
        int flags = ByteBuffer.wrap(flagsValue, 0, 4).order(m.order()).getInt() & ~IP_VS_SVC_F_HASHED;
        int timeout = (int) a.get(IPVS_SVC_ATTR_TIMEOUT).map(NetlinkAttribute::u32).orElse(0L).longValue();
        int netmask = (int) a.get(IPVS_SVC_ATTR_NETMASK).map(NetlinkAttribute::u32).orElse(0L).longValue();
        return Optional.of(new VirtualServer(address, protocol, port, scheduler, flags, timeout, netmask));
    }

    /** One destination of a GET_DEST dump; {@code serviceAf} is used when the kernel omits the dest's family. */
    public static RealServer parseDest(NetlinkMessage m, int serviceAf) {
        NetlinkAttributes top = m.attributes(GENL_HDRLEN);
        NetlinkAttributes a = top.require(IPVS_CMD_ATTR_DEST, "IPVS_CMD_ATTR_DEST").nested();
        int af = a.get(IPVS_DEST_ATTR_ADDR_FAMILY).map(NetlinkAttribute::u16).orElse(serviceAf);
        InetAddress address = address(a.require(IPVS_DEST_ATTR_ADDR, "IPVS_DEST_ATTR_ADDR"), af);
        int port = a.require(IPVS_DEST_ATTR_PORT, "IPVS_DEST_ATTR_PORT").u16BigEndian();
        int weight = (int) a.require(IPVS_DEST_ATTR_WEIGHT, "IPVS_DEST_ATTR_WEIGHT").u32();
        int active = (int) a.get(IPVS_DEST_ATTR_ACTIVE_CONNS).map(NetlinkAttribute::u32).orElse(0L).longValue();
        int inactive = (int) a.get(IPVS_DEST_ATTR_INACT_CONNS).map(NetlinkAttribute::u32).orElse(0L).longValue();
        return new RealServer(address, port, weight, active, inactive);
    }

    /** The forwarding method of a dumped destination (IP_VS_CONN_F_MASQ for ours). */
    public static int parseDestForwardMethod(NetlinkMessage m) {
        return (int) m.attributes(GENL_HDRLEN).require(IPVS_CMD_ATTR_DEST, "IPVS_CMD_ATTR_DEST").nested()
                .require(IPVS_DEST_ATTR_FWD_METHOD, "IPVS_DEST_ATTR_FWD_METHOD").u32() & IP_VS_CONN_F_FWD_MASK;
    }

    public static IpvsTimeouts parseConfig(NetlinkMessage m) {
        NetlinkAttributes a = m.attributes(GENL_HDRLEN);
        return new IpvsTimeouts(
                (int) a.require(IPVS_CMD_ATTR_TIMEOUT_TCP, "IPVS_CMD_ATTR_TIMEOUT_TCP").u32(),
                (int) a.require(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, "IPVS_CMD_ATTR_TIMEOUT_TCP_FIN").u32(),
                (int) a.require(IPVS_CMD_ATTR_TIMEOUT_UDP, "IPVS_CMD_ATTR_TIMEOUT_UDP").u32());
    }

    // ---------------------------------------------------------------- encodings

    public static int af(InetAddress address) {
        return address instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    public static int protocolNumber(Protocol p) {
        return switch (p) {
            case TCP -> IPPROTO_TCP;
            case UDP -> IPPROTO_UDP;
            case SCTP -> IPPROTO_SCTP;
        };
    }

    static Protocol protocol(int number) {
        return switch (number) {
            case IPPROTO_TCP -> Protocol.TCP;
            case IPPROTO_UDP -> Protocol.UDP;
            case IPPROTO_SCTP -> Protocol.SCTP;
            default -> throw new NetlinkParseException("IPVS service with unsupported protocol " + number);
        };
    }

    /** union nf_inet_addr: 16 bytes, an IPv4 address in the first 4. */
    static byte[] address16(InetAddress address) {
        return Arrays.copyOf(address.getAddress(), NF_INET_ADDR_LEN);
    }

    static InetAddress address(NetlinkAttribute a, int af) {
        byte[] v = a.value();
        int n = af == AF_INET ? 4 : 16;
        if (v.length < n) {
            throw new NetlinkParseException("IPVS address attribute of " + v.length + " bytes for family " + af);
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(v, n));
        } catch (UnknownHostException e) {
            throw new NetlinkParseException("IPVS address: " + e.getMessage());
        }
    }
}
