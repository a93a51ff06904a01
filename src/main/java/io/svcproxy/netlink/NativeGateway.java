package io.svcproxy.netlink;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * The only class that calls into native code: libc's socket calls (and open/setns for network
 * namespaces) through jnr-ffi. Every failure becomes a {@link NetlinkException} carrying errno;
 * calls interrupted by a signal (EINTR) are retried. Loaded once; a load failure is kept and
 * reported by {@link #load()} so callers can fall back instead of crashing.
 */
final class NativeGateway {
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SOL_NETLINK = 270;
    private static final int SO_RCVTIMEO = 20;    // SO_RCVTIMEO_OLD: struct timeval of two longs
    private static final int MSG_TRUNC = 0x20;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    /** struct sockaddr_nl: family u16, pad u16, pid u32, groups u32. */
    private static final int SOCKADDR_NL_LEN = 12;
    private static final int EINTR_RETRIES = 100;

    /** libc as jnr-ffi sees it; public only because jnr-ffi generates an implementation of it. */
    public interface LibC {
        @SaveError int socket(int domain, int type, int protocol);

        @SaveError int bind(int fd, @In byte[] addr, int addrlen);

        @SaveError int getsockname(int fd, @Out byte[] addr, IntByReference addrlen);

        @SaveError int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);

        @SaveError @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

        @SaveError @ssize_t long recvfrom(int fd, @Out byte[] buf, @size_t long len, int flags, @Out byte[] addr,
                                          IntByReference addrlen);

        @SaveError int close(int fd);

        @SaveError int open(String path, int flags);

        @SaveError int setns(int fd, int nstype);
    }

    private static final class Holder {
        static final NativeGateway INSTANCE;
        static final Throwable FAILURE;

        static {
            NativeGateway gateway = null;
            Throwable failure = null;
            try {
                LibC libc = LibraryLoader.create(LibC.class).load("c");
                gateway = new NativeGateway(libc, Runtime.getRuntime(libc));
            } catch (Throwable t) {   // UnsatisfiedLinkError, LinkageError, ...: keep the cause for the report
                failure = t;
            }
            INSTANCE = gateway;
            FAILURE = failure;
        }
    }

    private final LibC libc;
    private final Runtime runtime;

    private NativeGateway(LibC libc, Runtime runtime) {
        this.libc = libc;
        this.runtime = runtime;
    }

    /** The gateway, or {@link NetlinkException.Unavailable} with the original loading failure. */
    static NativeGateway load() {
        if (Holder.INSTANCE == null) {
            throw new NetlinkException.Unavailable("cannot load libc through jnr-ffi: " + Holder.FAILURE, Holder.FAILURE);
        }
        return Holder.INSTANCE;
    }

    int openNetlinkSocket(int protocol) {
        return retry("socket(AF_NETLINK, " + protocol + ")",
                () -> libc.socket(NetlinkConstants.AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
    }

    /** Binds with port id 0 so the kernel assigns a unique one; returns it. */
    int bindAutoPort(int fd) {
        retry("bind(AF_NETLINK)", () -> libc.bind(fd, sockaddrNl(0), SOCKADDR_NL_LEN));
        byte[] addr = new byte[SOCKADDR_NL_LEN];
        IntByReference len = new IntByReference(SOCKADDR_NL_LEN);
        retry("getsockname", () -> libc.getsockname(fd, addr, len));
        return ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).getInt(4);
    }

    void setReceiveTimeout(int fd, Duration timeout) {
        byte[] tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putLong(timeout.toSeconds()).putLong(timeout.toMillisPart() * 1000L).array();
        retry("setsockopt(SO_RCVTIMEO)", () -> libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, tv.length));
    }

    void setReceiveBuffer(int fd, int bytes) {
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(bytes).array();
        retry("setsockopt(SO_RCVBUF)", () -> libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, value.length));
    }

    /**
     * Raises the send and receive buffers to at least the given sizes: with the *FORCE options
     * (root may exceed the net.core.[rw]mem_max caps, which a large nf_tables batch and its acks
     * need), falling back to the capped options when not permitted.
     */
    void setBuffersAtLeast(int fd, int sendBytes, int receiveBytes) {
        setIntOption(fd, SOL_SOCKET, SO_SNDBUFFORCE, SO_SNDBUF, sendBytes, "SO_SNDBUF");
        setIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, SO_RCVBUF, receiveBytes, "SO_RCVBUF");
    }

    /** A netlink-level boolean socket option (NETLINK_CAP_ACK, NETLINK_EXT_ACK...). */
    void setNetlinkOption(int fd, int option, boolean on) {
        setNetlinkIntOption(fd, option, on ? 1 : 0);
    }

    /** A netlink-level socket option taking an int (NETLINK_ADD_MEMBERSHIP's group number). */
    void setNetlinkIntOption(int fd, int option, int value) {
        byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        retry("setsockopt(SOL_NETLINK, " + option + ", " + value + ")",
                () -> libc.setsockopt(fd, SOL_NETLINK, option, bytes, bytes.length));
    }

    private void setIntOption(int fd, int level, int forced, int capped, int bytes, String what) {
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(bytes).array();
        try {
            retry("setsockopt(" + what + "FORCE)", () -> libc.setsockopt(fd, level, forced, value, value.length));
        } catch (NetlinkException e) {
            retry("setsockopt(" + what + ")", () -> libc.setsockopt(fd, level, capped, value, value.length));
        }
    }

    /** Sends one datagram to the kernel (port id 0). */
    void sendToKernel(int fd, byte[] message) {
        byte[] kernel = sockaddrNl(0);
        long sent = retryLong("sendto(netlink)", () -> libc.sendto(fd, message, message.length, 0, kernel, SOCKADDR_NL_LEN));
        if (sent != message.length) {
            throw new NetlinkException("sendto(netlink) sent " + sent + " of " + message.length + " bytes", 0, null);
        }
    }

    /** One received datagram: its length and the sender's port id (0 = the kernel). */
    record Received(int length, int senderPortId) {
    }

    /** Receives one datagram into buf; times out (SO_RCVTIMEO) with {@link NetlinkException.Timeout}. */
    Received receive(int fd, byte[] buf) {
        byte[] from = new byte[SOCKADDR_NL_LEN];
        IntByReference fromLen = new IntByReference(SOCKADDR_NL_LEN);
        long n;
        try {
            n = retryLong("recvfrom(netlink)", () -> libc.recvfrom(fd, buf, buf.length, MSG_TRUNC, from, fromLen));
        } catch (NetlinkException e) {
            if (e.errno() == NetlinkConstants.EAGAIN) {
                throw new NetlinkException.Timeout("recvfrom(netlink)");
            }
            throw e;
        }
        if (n > buf.length) {
            throw new NetlinkException("recvfrom(netlink): datagram of " + n + " bytes exceeds the "
                    + buf.length + "-byte buffer", NetlinkConstants.ENOBUFS, null);
        }
        return new Received((int) n, ByteBuffer.wrap(from).order(ByteOrder.nativeOrder()).getInt(4));
    }

    void close(int fd) {
        // close() is not retried on EINTR: on Linux the descriptor is released regardless.
        libc.close(fd);
    }

    /** Moves the calling thread into the network namespace named by a file (e.g. /run/netns/NAME). */
    void enterNetworkNamespace(String nsFile) {
        int fd = retry("open(" + nsFile + ")", () -> libc.open(nsFile, O_RDONLY | O_CLOEXEC));
        try {
            retry("setns(" + nsFile + ", CLONE_NEWNET)", () -> libc.setns(fd, CLONE_NEWNET));
        } finally {
            libc.close(fd);
        }
    }

    private static byte[] sockaddrNl(int portId) {
        return ByteBuffer.allocate(SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder())
                .putShort((short) NetlinkConstants.AF_NETLINK).putShort((short) 0).putInt(portId).putInt(0).array();
    }

    private interface IntCall {
        int call();
    }

    private interface LongCall {
        long call();
    }

    private int retry(String operation, IntCall call) {
        return (int) retryLong(operation, call::call);
    }

    private long retryLong(String operation, LongCall call) {
        for (int attempt = 0; ; attempt++) {
            long rc = call.call();
            if (rc >= 0) {
                return rc;
            }
            int errno = LastError.getLastError(runtime);
            if (errno != NetlinkConstants.EINTR || attempt >= EINTR_RETRIES) {
                throw new NetlinkException(operation, errno);
            }
        }
    }
}
