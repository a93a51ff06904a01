package io.svcproxy.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one netlink request: the 16-byte nlmsghdr, a family header (nfgenmsg, genlmsghdr) and
 * attributes, nested ones included, each padded to 4 bytes. Header fields and attribute headers are
 * in host byte order (as the kernel expects); values the caller marks as big-endian (netfilter
 * addresses, ports, ids) are written in network order. Sequence number and port id are filled in by
 * {@link #build(int, int)}, so the socket owns numbering.
 */
public final class NetlinkMessageBuilder {
    private final ByteOrder order;
    private final int type;
    private final int flags;
    private byte[] buf = new byte[256];
    private int len = NetlinkConstants.NLMSG_HDRLEN;
    private final Deque<Integer> openNests = new ArrayDeque<>();

    public NetlinkMessageBuilder(int type, int flags) {
        this(type, flags, ByteOrder.nativeOrder());
    }

    /** With an explicit host byte order, so tests can pin byte-exact output. */
    public NetlinkMessageBuilder(int type, int flags, ByteOrder order) {
        this.type = type;
        this.flags = flags;
        this.order = order;
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    /** nfnetlink's family header: family, version, res_id (big-endian). */
    public NetlinkMessageBuilder nfgenmsg(int family, int version, int resId) {
        ensure(NetlinkConstants.NFGENMSG_LEN);
        buf[len] = (byte) family;
        buf[len + 1] = (byte) version;
        buf[len + 2] = (byte) (resId >>> 8);
        buf[len + 3] = (byte) resId;
        len += NetlinkConstants.NFGENMSG_LEN;
        return this;
    }

    /** Generic netlink's family header: cmd, version, 2 reserved bytes. */
    public NetlinkMessageBuilder genlmsghdr(int cmd, int version) {
        ensure(NetlinkConstants.GENL_HDRLEN);
        buf[len] = (byte) cmd;
        buf[len + 1] = (byte) version;
        buf[len + 2] = 0;
        buf[len + 3] = 0;
        len += NetlinkConstants.GENL_HDRLEN;
        return this;
    }

    /** One attribute with raw value bytes (padded). */
    public NetlinkMessageBuilder attr(int attrType, byte[] value) {
        int attrLen = NetlinkConstants.NLA_HDRLEN + value.length;
        if (attrLen > 0xffff) {
            throw new IllegalArgumentException("attribute " + attrType + " too long: " + value.length + " bytes");
        }
        int start = len;
        ensure(align(attrLen));
        ByteBuffer.wrap(buf, start, NetlinkConstants.NLA_HDRLEN).order(order)
                .putShort((short) attrLen).putShort((short) attrType);
        System.arraycopy(value, 0, buf, start + NetlinkConstants.NLA_HDRLEN, value.length);
        len = start + align(attrLen);
        return this;
    }

    public NetlinkMessageBuilder attrU8(int attrType, int value) {
        return attr(attrType, new byte[] {(byte) value});
    }

    /** A u16 in host byte order (NLA_U16: address family, IPVS protocol...). */
    public NetlinkMessageBuilder attrU16(int attrType, int value) {
        return attr(attrType, ByteBuffer.allocate(2).order(order).putShort((short) value).array());
    }

    /**
     * A fixed family header given as bytes (rtnetlink's ifinfomsg, ifaddrmsg), padded to 4 bytes;
     * use {@link #order()} to encode its host-order fields.
     */
    public NetlinkMessageBuilder header(byte[] familyHeader) {
        int start = len;
        ensure(align(familyHeader.length));
        System.arraycopy(familyHeader, 0, buf, start, familyHeader.length);
        len = start + align(familyHeader.length);
        return this;
    }

    /** The host byte order this message is encoded in. */
    public ByteOrder order() {
        return order;
    }

    public NetlinkMessageBuilder attrU16BigEndian(int attrType, int value) {
        return attr(attrType, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    public NetlinkMessageBuilder attrU32BigEndian(int attrType, long value) {
        return attr(attrType, ByteBuffer.allocate(4).putInt((int) value).array());
    }

    public NetlinkMessageBuilder attrU32(int attrType, long value) {
        return attr(attrType, ByteBuffer.allocate(4).order(order).putInt((int) value).array());
    }

    /** A NUL-terminated string, as NLA_NUL_STRING / NLA_STRING policies accept. */
    public NetlinkMessageBuilder attrString(int attrType, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        return attr(attrType, Arrays.copyOf(text, text.length + 1));
    }

    /** Opens a nested attribute (NLA_F_NESTED set); close it with {@link #endNested()}. */
    public NetlinkMessageBuilder beginNested(int attrType) {
        ensure(NetlinkConstants.NLA_HDRLEN);
        openNests.push(len);
        ByteBuffer.wrap(buf, len, NetlinkConstants.NLA_HDRLEN).order(order)
                .putShort((short) 0).putShort((short) (attrType | NetlinkConstants.NLA_F_NESTED));
        len += NetlinkConstants.NLA_HDRLEN;
        return this;
    }

    public NetlinkMessageBuilder endNested() {
        if (openNests.isEmpty()) {
            throw new IllegalStateException("endNested() without beginNested()");
        }
        int start = openNests.pop();
        int nestLen = len - start;
        if (nestLen > 0xffff) {
            throw new IllegalArgumentException("nested attribute too long: " + nestLen + " bytes");
        }
        ByteBuffer.wrap(buf, start, 2).order(order).putShort((short) nestLen);
        return this;
    }

    /** The finished message with its length, sequence number and sender port id filled in. */
    public byte[] build(int seq, int portId) {
        if (!openNests.isEmpty()) {
            throw new IllegalStateException(openNests.size() + " nested attribute(s) not closed");
        }
        byte[] out = Arrays.copyOf(buf, len);
        ByteBuffer.wrap(out, 0, NetlinkConstants.NLMSG_HDRLEN).order(order)
                .putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
        return out;
    }

    static int align(int n) {
        return (n + NetlinkConstants.NLA_ALIGNTO - 1) & ~(NetlinkConstants.NLA_ALIGNTO - 1);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    /** For callers that already hold encoded attribute bytes (e.g. copying a nested tuple). */
    public NetlinkMessageBuilder rawNested(int attrType, byte[] nestedPayload) {
        return attr(attrType | NetlinkConstants.NLA_F_NESTED, nestedPayload);
    }

    @Override
    public String toString() {
        return "NetlinkMessageBuilder[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", len=" + len + "]";
    }
}
