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

    /** In a {@link #batch} result: the kernel sent nothing for this message. */
    public static final int NO_ANSWER = -1;
    /** Bytes of receive buffer reserved per acknowledgement of a batch (one small skb each). */
    private static final int RCVBUF_PER_ACK = 1024;
    private int sendBufferSet;
    private int receiveBufferSet = SOCKET_RCVBUF;
    private boolean capAckSet;

    /**
     * Sends {@code messages} (an nfnetlink batch: BATCH_BEGIN, the requests, BATCH_END) as ONE
     * datagram, because the kernel takes a batch from a single skb only, and collects the kernel's
     * answers: the errno for each message (0 = acknowledged) or {@link #NO_ANSWER}. Socket buffers
     * are raised first so the whole batch fits in one send and all its acks fit in the receive
     * queue (the kernel queues them while it processes the batch). Returns once every message that
     * asked for an ACK is answered, or when a message that did not ask (the batch frame) is refused,
     * since the kernel sends nothing more then.
     */
    /** Bytes of the last batch datagram sent, what a sync reports as its payload. */
    public long lastBatchBytes() {
        return lastBatchBytes;
    }

    private long lastBatchBytes;

    public int[] batch(List<NetlinkMessageBuilder> messages) {
        requireOpen();
        int n = messages.size();
        if (nextSeq > Integer.MAX_VALUE - n - 1) {
            nextSeq = 1;
        }
        int firstSeq = nextSeq;
        nextSeq += n;
        byte[][] built = new byte[n][];
        long total = 0;
        int acksWanted = 0;
        for (int i = 0; i < n; i++) {
            built[i] = messages.get(i).build(firstSeq + i, portId);
            total += NetlinkMessageBuilder.align(built[i].length);
            if ((messages.get(i).flags() & NetlinkConstants.NLM_F_ACK) != 0) {
                acksWanted++;
            }
        }
        if (total > Integer.MAX_VALUE - 65536) {
            throw new IllegalArgumentException("batch of " + total + " bytes is too large for one datagram");
        }
        byte[] datagram = new byte[(int) total];
        lastBatchBytes = datagram.length;
        int at = 0;
        for (byte[] m : built) {
            System.arraycopy(m, 0, datagram, at, m.length);
            at += NetlinkMessageBuilder.align(m.length);
        }
        prepareForBatch(datagram.length, acksWanted);
        gateway.sendToKernel(fd, datagram);

        int[] result = new int[n];
        java.util.Arrays.fill(result, NO_ANSWER);
        int answered = 0;
        boolean frameRefused = false;
        while (answered < acksWanted && !frameRefused) {
            NativeGateway.Received r = gateway.receive(fd, buffer);
            if (r.senderPortId() != 0) {
                continue;
            }
            for (NetlinkMessage m : NetlinkMessages.parse(buffer, r.length(), ByteOrder.nativeOrder())) {
                int index = m.seq() - firstSeq;
                if (m.type() != NetlinkConstants.NLMSG_ERROR || index < 0 || index >= n
                        || (m.portId() != portId && m.portId() != 0) || result[index] != NO_ANSWER) {
                    continue;
                }
                result[index] = NetlinkMessages.errno(m);
                if ((messages.get(index).flags() & NetlinkConstants.NLM_F_ACK) != 0) {
                    answered++;
                } else if (result[index] != 0) {
                    frameRefused = true;
                }
            }
        }
        return result;
    }

    private void prepareForBatch(int bytes, int acks) {
        if (!capAckSet) {
            // Errors then carry only the refused message's header, not a copy of the whole message.
            gateway.setNetlinkOption(fd, NetlinkConstants.NETLINK_CAP_ACK, true);
            capAckSet = true;
        }
        int send = bytes + 65536;
        long receive = Math.max((long) SOCKET_RCVBUF, (long) acks * RCVBUF_PER_ACK);
        int receiveCapped = (int) Math.min(receive, 1L << 30);
        if (send > sendBufferSet || receiveCapped > receiveBufferSet) {
            gateway.setBuffersAtLeast(fd, Math.max(send, sendBufferSet), Math.max(receiveCapped, receiveBufferSet));
            sendBufferSet = Math.max(send, sendBufferSet);
            receiveBufferSet = Math.max(receiveCapped, receiveBufferSet);
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

    /**
     * Joins a multicast group (e.g. nf_tables' NFNLGRP_NFTABLES): the kernel's notifications to it
     * arrive on this socket from now on, read with {@link #receiveDatagram}. The receive buffer is
     * raised to {@code receiveBytes} so a burst of notifications is queued, not dropped.
     */
    public void joinGroup(int group, int receiveBytes) {
        gateway.setBuffersAtLeast(fd, SOCKET_RCVBUF, receiveBytes);
        gateway.setNetlinkIntOption(fd, NetlinkConstants.NETLINK_ADD_MEMBERSHIP, group);
    }

    /**
     * The next datagram the kernel sent, as received (notifications of a joined group), or empty when
     * none came within the receive timeout. An overflowed receive queue (notifications lost) is a
     * {@link NetlinkException} with ENOBUFS; the socket goes on receiving after it.
     */
    public java.util.Optional<byte[]> receiveDatagram() {
        while (true) {
            NativeGateway.Received r;
            try {
                r = gateway.receive(fd, buffer);
            } catch (NetlinkException.Timeout e) {
                return java.util.Optional.empty();
            }
            if (r.senderPortId() == 0) {
                return java.util.Optional.of(java.util.Arrays.copyOf(buffer, r.length()));
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
