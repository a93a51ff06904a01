package io.svcproxy.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One parsed attribute: its type (flags masked off), whether NLA_F_NESTED was set, and its value.
 * Typed readers check the length first, so a short value is a clear error, not garbage.
 */
public record NetlinkAttribute(int type, boolean nestedFlag, byte[] value, ByteOrder order) {

    public int u8() {
        requireLength(1);
        return value[0] & 0xff;
    }

    /** An NLA_U16 in host byte order. */
    public int u16() {
        requireLength(2);
        return ByteBuffer.wrap(value, 0, 2).order(order).getShort() & 0xffff;
    }

    public int u16BigEndian() {
        requireLength(2);
        return ((value[0] & 0xff) << 8) | (value[1] & 0xff);
    }

    public long u32BigEndian() {
        requireLength(4);
        return Integer.toUnsignedLong(ByteBuffer.wrap(value, 0, 4).getInt());
    }

    public long u32() {
        requireLength(4);
        return Integer.toUnsignedLong(ByteBuffer.wrap(value, 0, 4).order(order).getInt());
    }

    public long u64BigEndian() {
        requireLength(8);
        return ByteBuffer.wrap(value, 0, 8).getLong();
    }

    /** A string, up to the first NUL if there is one. */
    public String string() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** A 4-byte (IPv4) or 16-byte (IPv6) address in network order. */
    public InetAddress address() {
        if (value.length != 4 && value.length != 16) {
            throw new NetlinkParseException("attribute " + type + " is not an IP address: " + value.length + " bytes");
        }
        try {
            return InetAddress.getByAddress(value);
        } catch (UnknownHostException e) {
            throw new NetlinkParseException("attribute " + type + ": " + e.getMessage());
        }
    }

    /** The value parsed as nested attributes. */
    public NetlinkAttributes nested() {
        return NetlinkAttributes.parse(value, 0, value.length, order);
    }

    private void requireLength(int n) {
        if (value.length < n) {
            throw new NetlinkParseException("attribute " + type + " has " + value.length + " bytes, needs " + n);
        }
    }
}
