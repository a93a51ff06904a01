package io.svcproxy.ipvs;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.Objects;

/**
 * One IPVS virtual service, identified by (address, protocol, port).
 *
 * @param scheduler      IPVS scheduler name: rr, wrr, lc, wlc, sh, dh, mh, ...
 * @param flags          IP_VS_SVC_F_* bits (persistent, hashed, sh/mh fallback and port flags)
 * @param timeoutSeconds persistence timeout (session affinity); 0 = not persistent
 * @param netmask        persistence netmask: 0xffffffff for IPv4, 128 for IPv6
 */
public record VirtualServer(InetAddress address, Protocol protocol, int port, String scheduler, int flags,
                            int timeoutSeconds, int netmask) implements Comparable<VirtualServer> {

    public VirtualServer {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(scheduler, "scheduler");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    /** The identity IPVS keys a service by. */
    public Key key() {
        return new Key(address, protocol, port);
    }

    /** (address, protocol, port): what IPVS looks services up by; ordered by family, address, protocol, port. */
    public record Key(InetAddress address, Protocol protocol, int port) implements Comparable<Key> {
        private static final Comparator<Key> KEY_ORDER = Comparator
                .comparing((Key k) -> IpFamily.of(k.address()))
                .thenComparing(k -> Addresses.format(k.address()))
                .thenComparing(Key::protocol)
                .thenComparingInt(Key::port);

        @Override
        public int compareTo(Key o) {
            return KEY_ORDER.compare(this, o);
        }

        @Override
        public String toString() {
            return protocol + " " + Addresses.joinHostPort(address, port);
        }
    }

    @Override
    public int compareTo(VirtualServer o) {
        return key().compareTo(o.key());
    }
}
