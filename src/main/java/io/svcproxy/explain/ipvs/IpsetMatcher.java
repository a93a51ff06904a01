package io.svcproxy.explain.ipvs;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.iptables.SetMatcher;
import io.svcproxy.explain.iptables.Test;
import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;

import java.net.InetAddress;

/**
 * {@code -m set --match-set NAME FLAGS} against IPVS mode's ipsets, member by member: each flag
 * picks the packet's source or (DNATed) destination for one dimension of the member
 * ("IP,proto:port[,IP|CIDR]", "IP" or "port"). A source port dimension is unknown.
 */
final class IpsetMatcher implements SetMatcher {
    private final IpsetState sets;

    IpsetMatcher(IpsetState sets) {
        this.sets = sets;
    }

    @Override
    public Test match(String name, String flags, Packet packet, Flow flow) {
        Ipset set = sets.get(name);
        if (set == null) {
            return new Test.Unknown("ipset " + name + " does not exist");
        }
        String[] dir = flags.split(",");
        InetAddress first = dir[0].equals("src") ? packet.source() : flow.destination();
        for (String member : set.members()) {
            Test t = switch (set.type()) {
                case HASH_IP -> Test.of(Addresses.parseIp(member).equals(first));
                case BITMAP_PORT -> dir[0].equals("src") ? new Test.Unknown("needs the source port")
                        : Test.of(Integer.parseInt(member) == flow.port());
                default -> ipPort(member, dir, first, packet, flow);
            };
            if (!(t instanceof Test.No)) {
                return t;
            }
        }
        return Test.NO;
    }

    /** "IP,proto:port" with an optional third part (an address or a CIDR). */
    private static Test ipPort(String member, String[] dir, InetAddress first, Packet packet, Flow flow) {
        String[] parts = member.split(",");
        if (!Addresses.parseIp(parts[0]).equals(first)) {
            return Test.NO;
        }
        if (dir.length < 2 || dir[1].equals("src")) {
            return new Test.Unknown("needs the source port");
        }
        String[] protoPort = parts[1].split(":");
        if (!protoPort[0].equalsIgnoreCase(packet.protocol().lower()) || Integer.parseInt(protoPort[1]) != flow.port()) {
            return Test.NO;
        }
        if (parts.length < 3) {
            return Test.YES;
        }
        if (dir.length < 3) {
            return new Test.Unknown("set match with fewer directions than dimensions");
        }
        InetAddress third = dir[2].equals("src") ? packet.source() : flow.destination();
        return Test.of(parts[2].contains("/") ? Cidr.parse(parts[2]).contains(third)
                : Addresses.parseIp(parts[2]).equals(third));
    }
}
