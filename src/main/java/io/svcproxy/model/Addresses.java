package io.svcproxy.model;

import com.google.common.net.InetAddresses;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Strict IP literal parsing (no DNS, no zones) and canonical formatting (RFC 5952, as iptables prints). */
public final class Addresses {
    private Addresses() {
    }

    /**
     * Parses an IP literal. Rejects host names, IPv6 zone ids, and IPv4 with leading zeros (which
     * some tools read as octal), so a value can never mean two different addresses.
     */
    public static InetAddress parseIp(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        if (text.length() > 45 || text.indexOf('%') >= 0) {
            throw new IllegalArgumentException("invalid IP address '" + printable(text) + "'");
        }
        if (!InetAddresses.isInetAddress(text)) {
            throw new IllegalArgumentException("invalid IP address '" + printable(text) + "'");
        }
        if (text.indexOf(':') < 0) {
            for (String octet : text.split("\\.", -1)) {
                if (octet.length() > 1 && octet.charAt(0) == '0') {
                    throw new IllegalArgumentException("invalid IP address '" + text + "': leading zero");
                }
            }
        }
        InetAddress address = InetAddresses.forString(text);
        if (address instanceof Inet6Address && text.contains(".") && isMappedV4(address.getAddress())) {
            throw new IllegalArgumentException("invalid IP address '" + text + "': IPv4-mapped IPv6");
        }
        return address;
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
    public static String format(InetAddress address) {
        return InetAddresses.toAddrString(address);
    }

    /** "ip:port" for IPv4, "[ip]:port" for IPv6, as Go's net.JoinHostPort (kube-proxy's endpoint string). */
    public static String joinHostPort(InetAddress address, int port) {
        String ip = format(address);
        return address instanceof Inet6Address ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** Makes arbitrary input safe to quote in a message: control characters escaped, length bounded. */
    public static String printable(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() < 80; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= 80) {
            sb.append("...");
        }
        return sb.toString();
    }
}
