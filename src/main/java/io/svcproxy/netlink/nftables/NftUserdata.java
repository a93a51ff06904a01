package io.svcproxy.netlink.nftables;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * nft's user data: a byte string the kernel stores opaquely with a table, chain, rule, set or
 * element, holding TLVs of one type byte, one length byte and the value (comments as
 * NUL-terminated strings, numbers as host-order u32). Reading is lenient: a TLV cut short ends
 * the list, since user data is whatever some tool wrote.
 */
final class NftUserdata {
    /** nft refuses longer comments; a TLV length is one byte in any case. */
    static final int MAX_COMMENT_BYTES = 254;

    private NftUserdata() {
    }

    /** Builds a user-data string TLV by TLV. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer put(int type, byte[] value) {
            if (value.length > 255) {
                throw new IllegalArgumentException("user data TLV " + type + " too long: " + value.length);
            }
            out.write(type);
            out.write(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer putU32(int type, int value) {
            return put(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }

        Writer putString(int type, String value) {
            byte[] text = value.getBytes(StandardCharsets.UTF_8);
            if (text.length > MAX_COMMENT_BYTES) {
                throw new IllegalArgumentException("comment longer than " + MAX_COMMENT_BYTES + " bytes: " + value);
            }
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return put(type, z);
        }

        boolean isEmpty() {
            return out.size() == 0;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** The TLVs by type (the first of each type wins). */
    static Map<Integer, byte[]> parse(byte[] udata) {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        int pos = 0;
        while (pos + 2 <= udata.length) {
            int type = udata[pos] & 0xff;
            int len = udata[pos + 1] & 0xff;
            if (pos + 2 + len > udata.length) {
                break;
            }
            byte[] value = new byte[len];
            System.arraycopy(udata, pos + 2, value, 0, len);
            out.putIfAbsent(type, value);
            pos += 2 + len;
        }
        return out;
    }

    /** A comment TLV's text (up to its NUL), or null when absent. */
    static String comment(byte[] udata, int type) {
        if (udata == null) {
            return null;
        }
        byte[] v = parse(udata).get(type);
        if (v == null) {
            return null;
        }
        int end = 0;
        while (end < v.length && v[end] != 0) {
            end++;
        }
        return new String(v, 0, end, StandardCharsets.UTF_8);
    }

    /** A user data holding just one comment TLV, or null for no comment. */
    static byte[] commentOnly(int type, String comment) {
        return comment == null ? null : new Writer().putString(type, comment).toByteArray();
    }
}
