package io.svcproxy.netlink;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One bound netlink socket, in the network namespace of the thread that opened it. Requests are
 * numbered by this socket; replies are matched on sequence number, on our port id and on coming
 * from the kernel, everything else is ignored. Not thread-safe: one user at a time.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int SOCKET_RCVBUF = 1024 * 1024;
    /** How often a dump the kernel flags as interrupted (or overran our buffer) is restarted. */
    static final int DUMP_ATTEMPTS = 5;

    private final NativeGateway gateway;
    private final int fd;
    private final int portId;
    private final Duration receiveTimeout;
    private final byte[] buffer = new byte[RECEIVE_BUFFER];
    private int nextSeq = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE / 2);
    private boolean closed;

    private NetlinkSocket(NativeGateway gateway, int fd, int portId, Duration receiveTimeout) {
        this.gateway = gateway;
        this.receiveTimeout = receiveTimeout;
        this.fd = fd;
        this.portId = portId;
    }

    /** Opens and binds a socket of the given netlink protocol (e.g. NETLINK_NETFILTER). */
    public static NetlinkSocket open(int protocol, Duration receiveTimeout) {
        NativeGateway gateway = NativeGateway.load();
        int fd = gateway.openNetlinkSocket(protocol);
        try {
            gateway.setReceiveTimeout(fd, receiveTimeout);
            try {
                gateway.setReceiveBuffer(fd, SOCKET_RCVBUF);
            } catch (NetlinkException e) {
                // A smaller buffer only means more dump restarts on overrun; not worth failing for.
            }
            int portId = gateway.bindAutoPort(fd);
            return new NetlinkSocket(gateway, fd, portId, receiveTimeout);
        } catch (RuntimeException e) {
            gateway.close(fd);
            throw e;
        }
    }

    public int portId() {
        return portId;
    }

    /**
     * Sends a request that asks for an acknowledgement (NLM_F_ACK must be set) and waits for it.
     * A non-zero errno in the reply is thrown as {@link NetlinkException}.
     */
    public void acknowledged(NetlinkMessageBuilder request, String what) {
        if ((request.flags() & NetlinkConstants.NLM_F_ACK) == 0) {
            throw new IllegalArgumentException(what + ": request must carry NLM_F_ACK");
        }
        int seq = send(request);
        while (true) {
            for (NetlinkMessage m : receiveFor(seq)) {
                if (m.type() == NetlinkConstants.NLMSG_ERROR) {
                    int errno = NetlinkMessages.errno(m);
                    if (errno != 0) {
                        throw new NetlinkException(what, errno);
                    }
                    return;
                }
            }
        }
    }

    /**
     * Sends a request that the kernel answers with data messages and then an acknowledgement
     * (NLM_F_ACK must be set): a generic netlink "doit" with a reply (CTRL_CMD_GETFAMILY, IPVS
     * GET_CONFIG), RTM_GETLINK by name. Returns the data messages; a non-zero errno is thrown.
     */
    public List<NetlinkMessage> request(NetlinkMessageBuilder request, String what) {
        if ((request.flags() & NetlinkConstants.NLM_F_ACK) == 0) {
            throw new IllegalArgumentException(what + ": request must carry NLM_F_ACK");
        }
        int seq = send(request);
        List<NetlinkMessage> out = new ArrayList<>();
        while (true) {
            for (NetlinkMessage m : receiveFor(seq)) {
                if (m.type() == NetlinkConstants.NLMSG_ERROR) {
                    int errno = NetlinkMessages.errno(m);
                    if (errno != 0) {
                        throw new NetlinkException(what, errno);
                    }
                    return out;
                }
                if (m.type() >= NetlinkConstants.NLMSG_MIN_TYPE) {
                    out.add(m);
                }
            }
        }
    }

    /**
     * Runs a dump (NLM_F_DUMP set by the caller) and returns all its data messages. A dump the
     * kernel marks NLM_F_DUMP_INTR, or one whose replies overran the socket buffer (ENOBUFS), is
     * inconsistent and restarted from scratch.
     */
    public List<NetlinkMessage> dump(NetlinkMessageBuilder request, String what) {
        if ((request.flags() & NetlinkConstants.NLM_F_DUMP) != NetlinkConstants.NLM_F_DUMP) {
            throw new IllegalArgumentException(what + ": request must carry NLM_F_DUMP");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                List<NetlinkMessage> result = dumpOnce(request, what);
                if (result != null) {
                    return result;
                }
            } catch (NetlinkException e) {
                if (e.errno() != NetlinkConstants.ENOBUFS || e instanceof NetlinkException.Timeout
                        || attempt >= DUMP_ATTEMPTS) {
                    throw e;
                }
                drain();
            }
            if (attempt >= DUMP_ATTEMPTS) {
                throw new NetlinkException(what + ": dump interrupted by concurrent changes " + DUMP_ATTEMPTS
                        + " times in a row", NetlinkConstants.EBUSY, null);
            }
        }
    }

    /** The dump's messages, or null when it was interrupted. */
    private List<NetlinkMessage> dumpOnce(NetlinkMessageBuilder request, String what) {
        int seq = send(request);
        List<NetlinkMessage> out = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            for (NetlinkMessage m : receiveFor(seq)) {
                interrupted |= m.hasFlag(NetlinkConstants.NLM_F_DUMP_INTR);
                switch (m.type()) {
                    case NetlinkConstants.NLMSG_DONE -> {
                        int errno = NetlinkMessages.errno(m);
                        if (errno != 0) {
                            throw new NetlinkException(what, errno);
                        }
                        return interrupted ? null : out;
                    }
                    case NetlinkConstants.NLMSG_ERROR -> {
                        int errno = NetlinkMessages.errno(m);
                        if (errno != 0) {
                            throw new NetlinkException(what, errno);
                        }
                    }
                    case NetlinkConstants.NLMSG_NOOP, NetlinkConstants.NLMSG_OVERRUN -> {
                    }
                    default -> out.add(m);
                }
                if (m.type() != NetlinkConstants.NLMSG_DONE && !m.hasFlag(NetlinkConstants.NLM_F_MULTI)
                        && m.type() >= NetlinkConstants.NLMSG_MIN_TYPE) {
                    // A single-part answer to a dump request: complete as it is.
                    return interrupted ? null : out;
                }
            }
        }
    }

    private int send(NetlinkMessageBuilder request) {
        requireOpen();
        int seq = nextSeq++;
        if (nextSeq <= 0) {
            nextSeq = 1;
        }
        gateway.sendToKernel(fd, request.build(seq, portId));
        return seq;
    }

    /** The next datagram's messages that answer {@code seq}; stale replies of earlier requests are skipped. */
    private List<NetlinkMessage> receiveFor(int seq) {
        while (true) {
            NativeGateway.Received r = gateway.receive(fd, buffer);
            if (r.senderPortId() != 0) {
                continue;   // only the kernel talks to us
            }
            List<NetlinkMessage> matching = new ArrayList<>();
            for (NetlinkMessage m : NetlinkMessages.parse(buffer, r.length(), ByteOrder.nativeOrder())) {
                if (m.seq() == seq && (m.portId() == portId || m.portId() == 0)) {
                    matching.add(m);
                }
            }
            if (!matching.isEmpty()) {
                return matching;
            }
        }
    }

    /** Discards whatever is queued after an overrun, so the restarted dump starts clean. */
    private void drain() {
        gateway.setReceiveTimeout(fd, Duration.ofMillis(50));
        try {
            while (true) {
                gateway.receive(fd, buffer);
            }
        } catch (NetlinkException e) {
            // Timeout: the queue is empty.
        } finally {
            gateway.setReceiveTimeout(fd, receiveTimeout);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            gateway.close(fd);
        }
    }
}
