package io.svcproxy.explain;

import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The first packet of a new connection: addresses, destination port, protocol, the interface it
 * came in on ({@code null}: not known, so rules matching one are not evaluated) and its origin.
 * The source port is never known (the client picks it).
 */
public record Packet(InetAddress source, InetAddress destination, int port, Protocol protocol, String inInterface,
                     Origin origin) {
    public Packet {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(origin, "origin");
        if (IpFamily.of(source) != IpFamily.of(destination)) {
            throw new IllegalArgumentException("source and destination are of different families");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    public IpFamily family() {
        return IpFamily.of(source);
    }

    /** "10.244.1.5 -> 10.96.0.10:53/udp". */
    public String text() {
        return Addresses.text(source) + " -> " + Addresses.hostPort(destination, port) + "/" + protocol.lower();
    }
}
