package io.svcproxy.nftables;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string: register data, set keys and values exactly as nf_tables holds them
 * (concatenations padded field by field to 4 bytes). Compares by content, orders unsigned
 * lexicographically, prints as hex.
 */
public final class Bytes implements Comparable<Bytes> {
    public static final Bytes EMPTY = new Bytes(new byte[0]);
    private final byte[] b;
    private final int hash;

    private Bytes(byte[] b) {
        this.b = b;
        this.hash = Arrays.hashCode(b);
    }

    public static Bytes of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    public static Bytes of(byte[] bytes, int offset, int length) {
        return new Bytes(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    public static Bytes hex(String hex) {
        return new Bytes(HexFormat.of().parseHex(hex));
    }

    public static Bytes u8(int v) {
        return new Bytes(new byte[] {(byte) v});
    }

    /** Big-endian (network order) 16-bit value, e.g. a port. */
    public static Bytes be16(int v) {
        return new Bytes(new byte[] {(byte) (v >>> 8), (byte) v});
    }

    public static Bytes be32(int v) {
        return new Bytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /** Host-order 32-bit value (marks, numgen results, ct state bits are host order in registers). */
    public static Bytes host32(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? new Bytes(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)})
                : be32(v);
    }

    public static Bytes address(InetAddress a) {
        return new Bytes(a.getAddress());
    }

    /** nf_tables concatenation: each field padded with zeros to a multiple of 4 bytes. */
    public static Bytes concat(Bytes... fields) {
        int len = 0;
        for (Bytes f : fields) {
            len += pad4(f.length());
        }
        byte[] out = new byte[len];
        int at = 0;
        for (Bytes f : fields) {
            System.arraycopy(f.b, 0, out, at, f.b.length);
            at += pad4(f.length());
        }
        return new Bytes(out);
    }

    public static int pad4(int n) {
        return (n + 3) & ~3;
    }

    public int length() {
        return b.length;
    }

    public byte get(int i) {
        return b[i];
    }

    public byte[] toArray() {
        return b.clone();
    }

    public Bytes slice(int offset, int length) {
        return new Bytes(Arrays.copyOfRange(b, offset, offset + length));
    }

    /** Reads a big-endian unsigned value of 1..4 bytes at {@code offset}. */
    public int beInt(int offset, int length) {
        int v = 0;
        for (int i = 0; i < length; i++) {
            v = (v << 8) | (b[offset + i] & 0xff);
        }
        return v;
    }

    /** Reads a host-order 32-bit value at {@code offset}. */
    public int hostInt(int offset) {
        int be = beInt(offset, 4);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(be) : be;
    }

    public String hex() {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && hash == other.hash && Arrays.equals(b, other.b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(b, o.b);
    }

    @Override
    public String toString() {
        return "0x" + hex();
    }
}
