package io.svcproxy.netlink;

/** Bytes from the kernel (or a test) that are not a well-formed netlink message or attribute. */
public class NetlinkParseException extends RuntimeException {
    public NetlinkParseException(String message) {
        super(message);
    }
}
