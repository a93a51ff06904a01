package io.svcproxy.netlink;

import java.nio.ByteOrder;

/**
 * One received netlink message: the nlmsghdr fields and its payload (everything after the 16-byte
 * header, without trailing padding).
 */
public record NetlinkMessage(int type, int flags, int seq, int portId, byte[] payload, ByteOrder order) {

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** nfnetlink subsystem (high byte of the type). */
    public int nfnlSubsystem() {
        return (type >>> 8) & 0xff;
    }

    /** nfnetlink message (low byte of the type). */
    public int nfnlMessage() {
        return type & 0xff;
    }

    /** The nfgenmsg that starts a netfilter message's payload. */
    public NfGenMsg nfgenmsg() {
        return NfGenMsg.decode(payload, 0);
    }

    /** Attributes after a family header of {@code headerLength} bytes (4 for nfgenmsg/genlmsghdr). */
    public NetlinkAttributes attributes(int headerLength) {
        if (payload.length < headerLength) {
            throw new NetlinkParseException("message type " + type + " payload of " + payload.length
                    + " bytes is shorter than its " + headerLength + "-byte family header");
        }
        return NetlinkAttributes.parse(payload, headerLength, payload.length - headerLength, order);
    }
}
