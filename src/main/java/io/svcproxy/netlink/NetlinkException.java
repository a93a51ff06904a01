package io.svcproxy.netlink;

/**
 * A netlink or libc call failed with an errno: from a syscall, or from the kernel's NLMSG_ERROR
 * reply. Carries the number and its symbolic name so callers can branch on it (ENOENT, EEXIST...).
 */
public class NetlinkException extends RuntimeException {
    private final int errno;

    public NetlinkException(String operation, int errno) {
        super(operation + " failed: " + Errnos.describe(errno));
        this.errno = errno;
    }

    protected NetlinkException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** Symbolic name such as "ENOENT", or "errno 123" when unknown. */
    public String errnoName() {
        return Errnos.name(errno);
    }

    /** No reply arrived within the socket's receive timeout. */
    public static final class Timeout extends NetlinkException {
        public Timeout(String operation) {
            super(operation + " timed out waiting for the kernel", NetlinkConstants.EAGAIN, null);
        }
    }

    /** Netlink cannot be used in this process at all (no native library, no permission...). */
    public static final class Unavailable extends NetlinkException {
        public Unavailable(String message, Throwable cause) {
            super(message, 0, cause);
        }
    }
}
