package io.svcproxy.netlink;

import java.time.Duration;

/**
 * Entry point of the netlink layer: whether netlink works in this process (probed once, the cause
 * kept for the log) and opening sockets.
 */
public final class Netlink {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Result of the one-time probe; {@code cause} is null when available. */
    public record Availability(boolean available, String reason, Throwable cause) {
    }

    private static final class Probe {
        static final Availability RESULT = probe();
    }

    private Netlink() {
    }

    /**
     * Whether libc loads and a NETLINK_NETFILTER socket can be opened and bound; probed on first
     * call only. Permission to change conntrack/nfacct state is only known when it is tried.
     */
    public static Availability availability() {
        return Probe.RESULT;
    }

    public static NetlinkSocket open(int protocol) {
        return NetlinkSocket.open(protocol, DEFAULT_TIMEOUT);
    }

    public static NetlinkSocket open(int protocol, Duration receiveTimeout) {
        return NetlinkSocket.open(protocol, receiveTimeout);
    }

    private static Availability probe() {
        try (NetlinkSocket ignored = NetlinkSocket.open(NetlinkConstants.NETLINK_NETFILTER, DEFAULT_TIMEOUT)) {
            return new Availability(true, "netlink available", null);
        } catch (NetlinkException | LinkageError e) {
            return new Availability(false, "netlink unavailable: " + e.getMessage(), e);
        }
    }
}
