package io.svcproxy.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a received datagram into netlink messages, defensively: a header that is short, claims
 * fewer than 16 bytes or more bytes than were received is rejected with a message saying so,
 * instead of being read past its end.
 */
public final class NetlinkMessages {
    private NetlinkMessages() {
    }

    public static List<NetlinkMessage> parse(byte[] data, int length, ByteOrder order) {
        if (length < 0 || length > data.length) {
            throw new IllegalArgumentException("length " + length + " outside buffer of " + data.length);
        }
        List<NetlinkMessage> out = new ArrayList<>();
        int pos = 0;
        while (pos < length) {
            int remaining = length - pos;
            if (remaining < NetlinkConstants.NLMSG_HDRLEN) {
                throw new NetlinkParseException("truncated netlink header: " + remaining + " bytes at offset " + pos);
            }
            ByteBuffer h = ByteBuffer.wrap(data, pos, NetlinkConstants.NLMSG_HDRLEN).order(order);
            long msgLen = Integer.toUnsignedLong(h.getInt());
            int type = h.getShort() & 0xffff;
            int flags = h.getShort() & 0xffff;
            int seq = h.getInt();
            int portId = h.getInt();
            if (msgLen < NetlinkConstants.NLMSG_HDRLEN) {
                throw new NetlinkParseException("netlink message at offset " + pos + " claims length " + msgLen
                        + " (< 16-byte header)");
            }
            if (msgLen > remaining) {
                throw new NetlinkParseException("netlink message at offset " + pos + " claims length " + msgLen
                        + " but only " + remaining + " bytes remain");
            }
            byte[] payload = Arrays.copyOfRange(data, pos + NetlinkConstants.NLMSG_HDRLEN, pos + (int) msgLen);
            out.add(new NetlinkMessage(type, flags, seq, portId, payload, order));
            pos += Math.min(NetlinkMessageBuilder.align((int) msgLen), remaining);
        }
        return out;
    }

    /**
     * The errno of an NLMSG_ERROR (0 = ACK) or NLMSG_DONE message: the kernel sends a negative
     * errno in the first 4 bytes of the payload; this returns it positive.
     */
    public static int errno(NetlinkMessage message) {
        if (message.payload().length < 4) {
            if (message.type() == NetlinkConstants.NLMSG_DONE) {
                return 0;   // some families send DONE without the int
            }
            throw new NetlinkParseException("NLMSG_ERROR payload of " + message.payload().length + " bytes (< 4)");
        }
        int error = ByteBuffer.wrap(message.payload(), 0, 4).order(message.order()).getInt();
        return -error;
    }
}
