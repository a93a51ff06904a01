package io.svcproxy.bench;

import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * nftables mode's burst reads: the kernel's own nf_tables notifications (NFNLGRP_NFTABLES, what
 * {@code nft monitor} listens to) in the node namespace, each timed as it arrives. Polling chains
 * cannot keep up at 10,000 services (a service chain with its DNAT map is several netlink requests;
 * hundreds are pending during a burst, on a machine whose two cores the proxy and the API server also
 * use), and {@code nft monitor} itself first loads a cache of the whole ruleset, minutes at that size.
 * A notification costs nothing per pending change: the DNAT map element for an endpoint carries its
 * address and port as the map's data (4 address bytes, then the port big-endian), so those six bytes
 * in a notification are the DNAT to that endpoint being committed to the kernel. A batch is committed
 * as a whole before any of its notifications is sent.
 */
final class NftEvents implements AutoCloseable {
    private static final int NFNLGRP_NFTABLES = 7;
    private static final int RECEIVE_BUFFER = 64 * 1024 * 1024;
    private static final Duration POLL = Duration.ofMillis(200);

    private final NetlinkSocket socket;
    private final int port;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean closing;
    private volatile long datagrams;
    private volatile int overflows;

    private NftEvents(NetlinkSocket socket, int port) {
        this.socket = socket;
        this.port = port;
        this.reader = new Thread(this::read, "nft-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** Listens in the namespace for DNATs to {@code port} from now on. */
    static NftEvents start(NetNs ns, int port) {
        NetlinkSocket s = io.svcproxy.netlink.NetworkNamespaces.callIn(NetnsSockets.nsFile(ns),
                () -> Netlink.open(NetlinkConstants.NETLINK_NETFILTER, POLL));
        try {
            s.joinGroup(NFNLGRP_NFTABLES, RECEIVE_BUFFER);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return new NftEvents(s, port);
    }

    private void read() {
        try {
            while (!closing) {
                Optional<byte[]> d;
                try {
                    d = socket.receiveDatagram();
                } catch (NetlinkException e) {
                    if (e.errno() == NetlinkConstants.ENOBUFS) {
                        overflows++;   // notifications were dropped: a change may then never be seen
                        continue;
                    }
                    throw e;
                }
                if (d.isPresent()) {
                    long at = System.nanoTime();
                    datagrams++;
                    scan(d.get(), at);
                }
            }
        } finally {
            socket.close();
        }
    }

    /** Every "address . port" of the watched port in the datagram, first time seen. */
    private void scan(byte[] b, long at) {
        int hi = (port >> 8) & 0xff;
        int lo = port & 0xff;
        for (int i = 0; i + 6 <= b.length; i++) {
            if ((b[i + 4] & 0xff) == hi && (b[i + 5] & 0xff) == lo) {
                String ip = (b[i] & 0xff) + "." + (b[i + 1] & 0xff) + "." + (b[i + 2] & 0xff) + "." + (b[i + 3] & 0xff);
                firstSeen.putIfAbsent(ip, at);
            }
        }
    }

    /** When a notification first carried a DNAT to ip:port (System.nanoTime), if one did. */
    OptionalLong firstSeen(String ip) {
        Long at = firstSeen.get(ip);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    long datagrams() {
        return datagrams;
    }

    /** How often the receive queue overflowed (notifications lost). */
    int overflows() {
        return overflows;
    }

    /** Stops the reader (within its poll interval); the reader closes the socket. */
    @Override
    public void close() {
        closing = true;
        try {
            reader.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
