package io.svcproxy.plan.nftables;

import io.svcproxy.model.Addresses;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftType;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Values as nft 1.0.6 prints them: addresses, protocol names, ports, marks, timeouts, concatenations. */
final class NftValueText {
    private NftValueText() {
    }

    /** One value of a (possibly concatenated) type, fields joined by " . ". */
    static String value(NftKeyType type, Bytes b) {
        if (!type.concatenated()) {
            return field(type.fields().get(0), b);
        }
        List<String> parts = new ArrayList<>();
        int at = 0;
        for (NftType t : type.fields()) {
            parts.add(field(t, b.slice(at, t.length())));
            at += Bytes.pad4(t.length());
        }
        return String.join(" . ", parts);
    }

    static String field(NftType t, Bytes b) {
        return switch (t) {
            case IPV4_ADDR, IPV6_ADDR -> address(b);
            case INET_PROTO -> protocol(b.beInt(0, 1));
            case INET_SERVICE -> Integer.toString(b.beInt(0, 2));
            case INTEGER -> Long.toString(Integer.toUnsignedLong(b.hostInt(0)));
            case MARK -> String.format("0x%08x", b.hostInt(0));
            case VERDICT -> throw new IllegalArgumentException("a verdict is not a value");
        };
    }

    static String address(Bytes b) {
        try {
            return Addresses.format(InetAddress.getByAddress(b.toArray()));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + b, e);
        }
    }

    static String protocol(int p) {
        return switch (p) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 1 -> "icmp";
            case 58 -> "ipv6-icmp";
            default -> Integer.toString(p);
        };
    }

    /** nft's time format: 3h, 5m, 1h30m, 10s, 1d2h, 500ms. */
    static String duration(long millis) {
        StringBuilder sb = new StringBuilder();
        long ms = millis % 1000;
        long s = millis / 1000;
        long d = s / 86400;
        long h = (s / 3600) % 24;
        long m = (s / 60) % 60;
        long sec = s % 60;
        if (d > 0) {
            sb.append(d).append('d');
        }
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (sec > 0) {
            sb.append(sec).append('s');
        }
        if (ms > 0 || sb.length() == 0) {
            sb.append(ms).append("ms");
        }
        return sb.toString();
    }

    /** A quoted string (comments, interface names); nft has no escapes, so a quote can never be printed. */
    static String quoted(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("not printable as an nft string: " + Addresses.printable(s));
            }
        }
        return "\"" + s + "\"";
    }
}
