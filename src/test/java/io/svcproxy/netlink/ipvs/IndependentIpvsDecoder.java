package io.svcproxy.netlink.ipvs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second, independent reading of generic-netlink IPVS requests, the yardstick our encoder is
 * compared with: written from the kernel's UAPI headers (linux/netlink.h, linux/genetlink.h,
 * linux/ip_vs.h), sharing no code and no constant with io.svcproxy.netlink. Also reads the byte dumps
 * of {@code strace -e write=all} (what ipvsadm really sent, test-fixtures/netlink/ipvsadm).
 * <p>
 * Little-endian x86 only (what the IPVS VM runs). An attribute is a path of UAPI names
 * ("SERVICE.ADDR") with its payload in hex, exactly as long as its nla_len says (padding excluded,
 * but checked to be zero); a nested attribute (NLA_F_NESTED) is decoded into its children.
 */
final class IndependentIpvsDecoder {
    private IndependentIpvsDecoder() {
    }

    /** nlmsghdr + genlmsghdr + attributes. */
    record Message(int length, int type, int flags, int seq, int pid, int cmd, int version,
                   Map<String, String> attributes) {
        /** The same message without what differs between two senders of the same request. */
        Message withoutSeqAndPid() {
            return new Message(length, type, flags, 0, 0, cmd, version, attributes);
        }
    }

    // linux/netlink.h
    static final int NLMSG_HDRLEN = 16;
    static final int NLA_HDRLEN = 4;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLA_F_NET_BYTEORDER = 0x4000;
    // linux/genetlink.h
    static final int GENL_HDRLEN = 4;
    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_GETFAMILY = 3;

    // linux/genetlink.h enum CTRL_ATTR_*
    private static final Map<Integer, String> CTRL_ATTRS = Map.of(1, "FAMILY_ID", 2, "FAMILY_NAME");
    // linux/ip_vs.h enum IPVS_CMD_ATTR_*
    private static final Map<Integer, String> CMD_ATTRS = Map.of(1, "SERVICE", 2, "DEST", 3, "DAEMON",
            4, "TIMEOUT_TCP", 5, "TIMEOUT_TCP_FIN", 6, "TIMEOUT_UDP");
    // linux/ip_vs.h enum IPVS_SVC_ATTR_*
    private static final Map<Integer, String> SVC_ATTRS = Map.ofEntries(Map.entry(1, "AF"), Map.entry(2, "PROTOCOL"),
            Map.entry(3, "ADDR"), Map.entry(4, "PORT"), Map.entry(5, "FWMARK"), Map.entry(6, "SCHED_NAME"),
            Map.entry(7, "FLAGS"), Map.entry(8, "TIMEOUT"), Map.entry(9, "NETMASK"), Map.entry(10, "STATS"),
            Map.entry(11, "PE_NAME"), Map.entry(12, "STATS64"));
    // linux/ip_vs.h enum IPVS_DEST_ATTR_*
    private static final Map<Integer, String> DEST_ATTRS = Map.ofEntries(Map.entry(1, "ADDR"), Map.entry(2, "PORT"),
            Map.entry(3, "FWD_METHOD"), Map.entry(4, "WEIGHT"), Map.entry(5, "U_THRESH"), Map.entry(6, "L_THRESH"),
            Map.entry(7, "ACTIVE_CONNS"), Map.entry(8, "INACT_CONNS"), Map.entry(9, "PERSIST_CONNS"),
            Map.entry(10, "STATS"), Map.entry(11, "ADDR_FAMILY"), Map.entry(12, "STATS64"), Map.entry(13, "TUN_TYPE"),
            Map.entry(14, "TUN_PORT"), Map.entry(15, "TUN_FLAGS"));

    static Message decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int length = b.getInt();
        int type = Short.toUnsignedInt(b.getShort());
        int flags = Short.toUnsignedInt(b.getShort());
        int seq = b.getInt();
        int pid = b.getInt();
        if (length != bytes.length) {
            throw new IllegalArgumentException("nlmsg_len " + length + " but " + bytes.length + " bytes");
        }
        int cmd = Byte.toUnsignedInt(b.get());
        int version = Byte.toUnsignedInt(b.get());
        if (b.getShort() != 0) {
            throw new IllegalArgumentException("genlmsghdr reserved field is not 0");
        }
        Map<String, String> attrs = new TreeMap<>();
        attributes(bytes, NLMSG_HDRLEN + GENL_HDRLEN, length, "", type == GENL_ID_CTRL ? CTRL_ATTRS : CMD_ATTRS, attrs);
        return new Message(length, type, flags, seq, pid, cmd, version, attrs);
    }

    private static void attributes(byte[] bytes, int from, int to, String prefix, Map<Integer, String> names,
                                   Map<String, String> out) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = from;
        while (at < to) {
            if (to - at < NLA_HDRLEN) {
                throw new IllegalArgumentException("truncated attribute header at " + at);
            }
            int len = Short.toUnsignedInt(b.getShort(at));
            int rawType = Short.toUnsignedInt(b.getShort(at + 2));
            int type = rawType & ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
            if (len < NLA_HDRLEN || at + len > to) {
                throw new IllegalArgumentException("attribute length " + len + " at " + at + " overruns " + to);
            }
            String name = prefix + names.getOrDefault(type, "ATTR_" + type);
            if (out.containsKey(name)) {
                throw new IllegalArgumentException("attribute " + name + " twice");
            }
            if ((rawType & NLA_F_NESTED) != 0) {
                out.put(name, "nested");
                Map<Integer, String> inner = name.equals("SERVICE") ? SVC_ATTRS : name.equals("DEST") ? DEST_ATTRS : Map.of();
                attributes(bytes, at + NLA_HDRLEN, at + len, name + ".", inner, out);
            } else {
                out.put(name, HexFormat.of().formatHex(bytes, at + NLA_HDRLEN, at + len));
            }
            int padded = (len + 3) & ~3;
            for (int i = at + len; i < Math.min(at + padded, to); i++) {
                if (bytes[i] != 0) {
                    throw new IllegalArgumentException("non-zero padding after " + name);
                }
            }
            at += padded;
        }
    }

    private static final Pattern BUFFER = Pattern.compile("^ \\* (\\d+) bytes in buffer \\d+$");
    private static final Pattern ROW = Pattern.compile("^ \\| [0-9a-f]{5}  ((?:[0-9a-f]{2} ?){1,8})(?: ((?:[0-9a-f]{2} ?){1,8}))?\\s.*\\|$");

    /**
     * Every buffer of every sendmsg in a {@code strace -e write=all -xx} output, as the bytes strace
     * dumped (each checked against the byte count strace printed for it).
     */
    static List<byte[]> straceBuffers(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> out = new ArrayList<>();
        StringBuilder hex = null;
        int expected = 0;
        for (String line : lines) {
            Matcher m = BUFFER.matcher(line);
            if (m.matches()) {
                if (hex != null) {
                    out.add(check(hex, expected, file));
                }
                hex = new StringBuilder();
                expected = Integer.parseInt(m.group(1));
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (hex != null && r.matches()) {
                hex.append(r.group(1).replace(" ", ""));
                if (r.group(2) != null) {
                    hex.append(r.group(2).replace(" ", ""));
                }
            } else if (hex != null) {
                out.add(check(hex, expected, file));
                hex = null;
            }
        }
        if (hex != null) {
            out.add(check(hex, expected, file));
        }
        return out;
    }

    private static byte[] check(StringBuilder hex, int expected, Path file) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        if (bytes.length != expected) {
            throw new IllegalArgumentException(file + ": strace said " + expected + " bytes, dumped " + bytes.length);
        }
        return bytes;
    }
}
