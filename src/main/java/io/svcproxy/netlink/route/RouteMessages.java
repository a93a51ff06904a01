package io.svcproxy.netlink.route;

import io.svcproxy.netlink.NetlinkAttributes;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkParseException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import static io.svcproxy.netlink.NetlinkConstants.*;
import static io.svcproxy.netlink.route.RouteConstants.*;

/** The rtnetlink messages for links and addresses that kube-ipvs0 needs, without any I/O. */
public final class RouteMessages {
    private RouteMessages() {
    }

    /** A link as RTM_NEWLINK describes it. {@code kind} is IFLA_INFO_KIND ("dummy", "veth"...), "" if none. */
    public record Link(int index, String name, String kind, int flags) {
    }

    /** One address as RTM_NEWADDR describes it. */
    public record Address(int family, int prefixLength, int scope, int index, InetAddress address) {
    }

    /** Creates a dummy interface; EEXIST when the name is taken (NLM_F_CREATE|NLM_F_EXCL). */
    public static NetlinkMessageBuilder newDummyLink(String name, ByteOrder order) {
        return new NetlinkMessageBuilder(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, order)
                .header(ifinfomsg(AF_UNSPEC, 0, order))
                .attrString(IFLA_IFNAME, name)
                .beginNested(IFLA_LINKINFO)
                .attrString(IFLA_INFO_KIND, "dummy")
                .endNested();
    }

    /** One link by name, answered with RTM_NEWLINK; ENODEV when there is none. */
    public static NetlinkMessageBuilder getLink(String name, ByteOrder order) {
        return new NetlinkMessageBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, order)
                .header(ifinfomsg(AF_UNSPEC, 0, order))
                .attrString(IFLA_IFNAME, name);
    }

    public static NetlinkMessageBuilder delLink(int index, ByteOrder order) {
        return new NetlinkMessageBuilder(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, order)
                .header(ifinfomsg(AF_UNSPEC, index, order));
    }

    /** Every address of every interface, both families (filtered by index on our side). */
    public static NetlinkMessageBuilder getAddresses(ByteOrder order) {
        return new NetlinkMessageBuilder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, order)
                .header(ifaddrmsg(AF_UNSPEC, 0, 0, order));
    }

    /** Adds address/32 (or /128) to the interface; EEXIST when it is there. */
    public static NetlinkMessageBuilder newAddress(int index, InetAddress address, ByteOrder order) {
        return addressCommand(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, index, address, order);
    }

    /** Removes address/32 (or /128); EADDRNOTAVAIL when it is not there. */
    public static NetlinkMessageBuilder delAddress(int index, InetAddress address, ByteOrder order) {
        return addressCommand(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, index, address, order);
    }

    private static NetlinkMessageBuilder addressCommand(int type, int flags, int index, InetAddress address,
                                                        ByteOrder order) {
        int family = address instanceof Inet4Address ? AF_INET : AF_INET6;
        return new NetlinkMessageBuilder(type, flags, order)
                .header(ifaddrmsg(family, hostPrefix(address), index, order))
                .attr(IFA_LOCAL, address.getAddress())
                .attr(IFA_ADDRESS, address.getAddress());
    }

    public static Link parseLink(NetlinkMessage m) {
        if (m.type() != RTM_NEWLINK || m.payload().length < IFINFOMSG_LEN) {
            throw new NetlinkParseException("not an RTM_NEWLINK message: type " + m.type() + ", " + m.payload().length + " bytes");
        }
        ByteBuffer h = ByteBuffer.wrap(m.payload(), 0, IFINFOMSG_LEN).order(m.order());
        h.position(4);
        int index = h.getInt();
        int flags = h.getInt();
        NetlinkAttributes a = m.attributes(IFINFOMSG_LEN);
        String name = a.get(IFLA_IFNAME).map(x -> x.string()).orElse("");
        String kind = a.get(IFLA_LINKINFO)
                .flatMap(li -> li.nested().get(IFLA_INFO_KIND))
                .map(x -> x.string()).orElse("");
        return new Link(index, name, kind, flags);
    }

    /** One RTM_NEWADDR of a dump; empty for a message without an address. */
    public static Optional<Address> parseAddress(NetlinkMessage m) {
        if (m.type() != RTM_NEWADDR || m.payload().length < IFADDRMSG_LEN) {
            throw new NetlinkParseException("not an RTM_NEWADDR message: type " + m.type() + ", " + m.payload().length + " bytes");
        }
        byte[] p = m.payload();
        int family = p[0] & 0xff;
        int prefix = p[1] & 0xff;
        int scope = p[3] & 0xff;
        int index = ByteBuffer.wrap(p, 4, 4).order(m.order()).getInt();
        NetlinkAttributes a = m.attributes(IFADDRMSG_LEN);
        // IPv4: IFA_LOCAL is the interface's address (IFA_ADDRESS the peer on point-to-point links).
        // IPv6: only IFA_ADDRESS, unless a peer is set.
        return a.get(IFA_LOCAL).or(() -> a.get(IFA_ADDRESS))
                .map(attr -> new Address(family, prefix, scope, index, attr.address()));
    }

    static int hostPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    static byte[] ifinfomsg(int family, int index, ByteOrder order) {
        return ByteBuffer.allocate(IFINFOMSG_LEN).order(order)
                .put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(0).putInt(0).array();
    }

    static byte[] ifaddrmsg(int family, int prefixLength, int index, ByteOrder order) {
        return ByteBuffer.allocate(IFADDRMSG_LEN).order(order)
                .put((byte) family).put((byte) prefixLength).put((byte) 0).put((byte) RT_SCOPE_UNIVERSE)
                .putInt(index).array();
    }
}
