package io.svcproxy.explain;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Address text as the rules print it (IPv6 compressed, in brackets before a port). */
public final class Addresses {
    private Addresses() {
    }

    public static String text(InetAddress a) {
        String s = a.getHostAddress();
        if (a instanceof Inet6Address) {
            int pct = s.indexOf('%');
            if (pct >= 0) {
                s = s.substring(0, pct);
            }
            return compress(s);
        }
        return s;
    }

    public static String hostPort(InetAddress a, int port) {
        return a instanceof Inet6Address ? "[" + text(a) + "]:" + port : text(a) + ":" + port;
    }

    /** Java prints 0:0:...; rules print the RFC 5952 form. */
    private static String compress(String full) {
        String[] parts = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].replaceFirst("^0+(?=.)", "");
        }
        for (int i = 0; i < parts.length; ) {
            if (!parts[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < parts.length && parts[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen && j - i > 1) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return String.join(":", parts);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(parts, bestStart + bestLen, parts.length));
        return head + "::" + tail;
    }
}
