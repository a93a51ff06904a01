package io.svcproxy.netlink.conntrack;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One direction of a conntrack entry (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY).
 *
 * @param protocol IP protocol number (17 = UDP); ports are 0 for port-less protocols
 */
public record ConntrackTuple(InetAddress source, InetAddress destination, int protocol, int sourcePort,
                             int destinationPort) {
    public ConntrackTuple {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
    }
}
