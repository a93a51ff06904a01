package io.svcproxy.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A parsed attribute stream (TLVs padded to 4 bytes). Parsing is strict about structure (a header
 * cut short, nla_len below 4 or beyond the stream is an error) and lenient about content: unknown
 * types are kept but callers simply never ask for them, as the kernel itself does.
 */
public final class NetlinkAttributes {
    private final List<NetlinkAttribute> attributes;

    private NetlinkAttributes(List<NetlinkAttribute> attributes) {
        this.attributes = attributes;
    }

    public static NetlinkAttributes parse(byte[] data, int offset, int length, ByteOrder order) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new NetlinkParseException("attribute stream [" + offset + ", +" + length + ") outside buffer of "
                    + data.length + " bytes");
        }
        List<NetlinkAttribute> out = new ArrayList<>();
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            int remaining = end - pos;
            if (remaining < NetlinkConstants.NLA_HDRLEN) {
                throw new NetlinkParseException("truncated attribute header: " + remaining + " bytes at offset " + pos);
            }
            ByteBuffer h = ByteBuffer.wrap(data, pos, NetlinkConstants.NLA_HDRLEN).order(order);
            int nlaLen = h.getShort() & 0xffff;
            int rawType = h.getShort() & 0xffff;
            if (nlaLen < NetlinkConstants.NLA_HDRLEN) {
                throw new NetlinkParseException("attribute at offset " + pos + " claims length " + nlaLen
                        + " (< 4-byte header)");
            }
            if (nlaLen > remaining) {
                throw new NetlinkParseException("attribute type " + (rawType & NetlinkConstants.NLA_TYPE_MASK)
                        + " at offset " + pos + " claims length " + nlaLen + " but only " + remaining + " bytes remain");
            }
            byte[] value = Arrays.copyOfRange(data, pos + NetlinkConstants.NLA_HDRLEN, pos + nlaLen);
            out.add(new NetlinkAttribute(rawType & NetlinkConstants.NLA_TYPE_MASK,
                    (rawType & NetlinkConstants.NLA_F_NESTED) != 0, value, order));
            // The last attribute's padding may be missing from the stream: stop at the end, not beyond.
            pos += Math.min(NetlinkMessageBuilder.align(nlaLen), remaining);
        }
        return new NetlinkAttributes(List.copyOf(out));
    }

    public List<NetlinkAttribute> all() {
        return attributes;
    }

    /** The first attribute of this type, if present. */
    public Optional<NetlinkAttribute> get(int type) {
        for (NetlinkAttribute a : attributes) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The attribute of this type; missing is a parse error naming {@code what}. */
    public NetlinkAttribute require(int type, String what) {
        return get(type).orElseThrow(() -> new NetlinkParseException("missing attribute " + what + " (type " + type + ")"));
    }

    public int size() {
        return attributes.size();
    }
}
