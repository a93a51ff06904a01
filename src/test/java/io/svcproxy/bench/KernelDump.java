package io.svcproxy.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One read of the node's rules (iptables-save or nft list output) reduced to the addresses it
 * names, so one dump answers many "is it there yet" questions at once: a DNAT to IP:PORT shows as
 * {@code --to-destination IP:PORT} (iptables), {@code dnat to IP:PORT} or a numgen map's
 * {@code N : IP . PORT} (nft), a cluster IP as
 * {@code -d IP/32}, an element of a set or map, or an IPVS virtual service {@code -t IP:PORT}
 * ({@code ipvsadm -S -n}). Tokens are exact: 10.96.0.1 does not match 10.96.0.10.
 */
public final class KernelDump {
    private final Set<String> tokens = new HashSet<>();
    private final int dnatCount;
    private final int bytes;

    public KernelDump(String text) {
        bytes = text.length();
        int dnats = 0;
        int start = -1;
        List<String> seq = new ArrayList<>();
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            boolean part = (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '/';
            if (part && start < 0) {
                start = i;
            } else if (!part && start >= 0) {
                String token = text.substring(start, i);
                add(token);
                seq.add(token);
                start = -1;
            }
        }
        // nftables' numgen DNAT map names its targets as "IP . PORT" (a concatenation): read as IP:PORT.
        for (int i = 0; i + 2 < seq.size(); i++) {
            if (seq.get(i + 1).equals(".") && seq.get(i).indexOf('.') > 0 && seq.get(i + 2).matches("\\d{1,5}")) {
                tokens.add(seq.get(i) + ":" + seq.get(i + 2));
            }
        }
        for (int i = text.indexOf("DNAT"); i >= 0; i = text.indexOf("DNAT", i + 4)) {
            dnats++;
        }
        for (int i = text.indexOf("dnat to"); i >= 0; i = text.indexOf("dnat to", i + 7)) {
            dnats++;
        }
        dnatCount = dnats;
    }

    private void add(String token) {
        tokens.add(token);
        int slash = token.indexOf('/');
        if (slash > 0) {
            tokens.add(token.substring(0, slash));
        }
        // IPv4:PORT (a DNAT target, an IPVS virtual service or real server) also names the address.
        int colon = token.indexOf(':');
        if (colon > 0 && token.indexOf(':', colon + 1) < 0 && token.indexOf('.') > 0) {
            tokens.add(token.substring(0, colon));
        }
    }

    /** A rule sends to IP:PORT (an endpoint's DNAT). */
    public boolean hasDestination(String ip, int port) {
        return tokens.contains(ip + ":" + port);
    }

    /** The address appears in any rule or set (a Service's cluster IP). */
    public boolean hasAddress(String ip) {
        return tokens.contains(ip);
    }

    /** DNAT rules (iptables) or dnat statements (nft) in the dump. */
    public int dnatCount() {
        return dnatCount;
    }

    public int bytes() {
        return bytes;
    }
}
