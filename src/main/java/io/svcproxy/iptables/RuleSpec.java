package io.svcproxy.iptables;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.Protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds one rule spec in the canonical form iptables-save prints, so what we render compares equal
 * to what we read back: address and interface matches first (-s, -d, -i, -o, then -p), then the
 * "-m" matches in the order given, then the target. Values are emitted as iptables-save normalises
 * them (/32 on host addresses, defaults of REJECT/recent made explicit, MARK as --set-xmark).
 *
 * <p>Every piece of user-controlled text (comments) goes through {@link #quote(String)}, which
 * escapes quotes and backslashes and rejects line breaks, so it can never split a rule or start a
 * new one in an iptables-restore payload.
 */
public final class RuleSpec {
    private String source;
    private String destination;
    private String inInterface;
    private String outInterface;
    private String protocol;
    private final List<String> matches = new ArrayList<>();
    private String target = "";

    public static RuleSpec rule() {
        return new RuleSpec();
    }

    public RuleSpec source(Cidr cidr) {
        source = "-s " + cidr;
        return this;
    }

    public RuleSpec notSource(Cidr cidr) {
        source = "! -s " + cidr;
        return this;
    }

    public RuleSpec destination(Cidr cidr) {
        destination = "-d " + cidr;
        return this;
    }

    public RuleSpec notDestination(Cidr cidr) {
        destination = "! -d " + cidr;
        return this;
    }

    public RuleSpec inInterface(String name, boolean negate) {
        inInterface = (negate ? "! -i " : "-i ") + checkInterface(name);
        return this;
    }

    public RuleSpec outInterface(String name, boolean negate) {
        outInterface = (negate ? "! -o " : "-o ") + checkInterface(name);
        return this;
    }

    public RuleSpec protocol(Protocol p) {
        protocol = "-p " + p.lower();
        return this;
    }

    /** {@code -m comment --comment TEXT}. */
    public RuleSpec comment(String text) {
        matches.add("-m comment --comment " + quote(text));
        return this;
    }

    /** The protocol's own match with a destination port: {@code -m tcp --dport N}. */
    public RuleSpec destinationPort(Protocol p, int port) {
        matches.add("-m " + p.lower() + " --dport " + port);
        return this;
    }

    /** The protocol's own match with no options ({@code -m tcp}), as kube-proxy's DNAT rules carry. */
    public RuleSpec protocolMatch(Protocol p) {
        matches.add("-m " + p.lower());
        return this;
    }

    public RuleSpec addrType(String which, String type) {
        matches.add("-m addrtype --" + which + "-type " + type);
        return this;
    }

    /** {@code -m addrtype ! --src-type LOCAL} style (negated address type). */
    public RuleSpec notAddrType(String which, String type) {
        matches.add("-m addrtype ! --" + which + "-type " + type);
        return this;
    }

    /**
     * {@code -m set --match-set NAME FLAGS} (IPVS mode's ipset matches); flags are "dst", "dst,dst",
     * "dst,dst,src", "src,dst", as iptables-save prints them.
     */
    public RuleSpec matchSet(String setName, String flags) {
        if (!flags.matches("(src|dst)(,(src|dst)){0,5}")) {
            throw new IllegalArgumentException("bad set match flags '" + flags + "'");
        }
        matches.add("-m set --match-set " + checkWord(setName) + " " + flags);
        return this;
    }

    /** {@code -m physdev ! --physdev-is-in}: not bridged in (kube-proxy's "not from a container"). */
    public RuleSpec notPhysdevIsIn() {
        matches.add("-m physdev ! --physdev-is-in");
        return this;
    }

    /**
     * {@code -m ipvs --vaddr A --vproto P --vport N} as libxt_ipvs saves it: protocol as its number,
     * in the order proto, vaddr, vport. Not verified against a kernel (xt_ipvs needs ip_vs).
     */
    public RuleSpec ipvs(Cidr vaddr, Protocol p, int vport) {
        int proto = p == Protocol.TCP ? 6 : p == Protocol.UDP ? 17 : 132;
        matches.add("-m ipvs --vproto " + proto + " --vaddr " + vaddr + " --vport " + vport);
        return this;
    }

    public RuleSpec ctState(String states, boolean negate) {
        matches.add("-m conntrack " + (negate ? "! " : "") + "--ctstate " + states);
        return this;
    }

    public RuleSpec mark(long value, long mask, boolean negate) {
        matches.add("-m mark " + (negate ? "! " : "") + "--mark " + hex(value) + "/" + hex(mask));
        return this;
    }

    /** iptables-save prints the nfacct name after two spaces (its save routine adds one itself). */
    public RuleSpec nfacct(String counter) {
        matches.add("-m nfacct --nfacct-name  " + checkWord(counter));
        return this;
    }

    public RuleSpec statisticRandom(String savedProbability) {
        matches.add("-m statistic --mode random --probability " + savedProbability);
        return this;
    }

    /** {@code -m recent --set}, as saved: with the default source mask and --rsource spelled out. */
    public RuleSpec recentSet(String name, boolean ipv6) {
        matches.add("-m recent --set --name " + checkWord(name) + " --mask " + fullMask(ipv6) + " --rsource");
        return this;
    }

    /** {@code -m recent --rcheck --seconds N --reap}, as saved. */
    public RuleSpec recentCheck(String name, int seconds, boolean ipv6) {
        matches.add("-m recent --rcheck --seconds " + seconds + " --reap --name " + checkWord(name)
                + " --mask " + fullMask(ipv6) + " --rsource");
        return this;
    }

    public RuleSpec jump(String chainOrTarget) {
        target = "-j " + checkWord(chainOrTarget);
        return this;
    }

    public RuleSpec dnat(String hostPort) {
        target = "-j DNAT --to-destination " + hostPort;
        return this;
    }

    public RuleSpec reject(boolean ipv6) {
        target = "-j REJECT --reject-with " + (ipv6 ? "icmp6-port-unreachable" : "icmp-port-unreachable");
        return this;
    }

    /** MARK --or-mark V, as saved: --set-xmark V/V. */
    public RuleSpec orMark(long value) {
        target = "-j MARK --set-xmark " + hex(value) + "/" + hex(value);
        return this;
    }

    /** MARK --xor-mark V, as saved: --set-xmark V/0x0. */
    public RuleSpec xorMark(long value) {
        target = "-j MARK --set-xmark " + hex(value) + "/0x0";
        return this;
    }

    public RuleSpec masquerade() {
        target = "-j MASQUERADE";
        return this;
    }

    public RuleSpec masqueradeRandomFully() {
        target = "-j MASQUERADE --random-fully";
        return this;
    }

    public String build() {
        StringBuilder sb = new StringBuilder(96);
        append(sb, source);
        append(sb, destination);
        append(sb, inInterface);
        append(sb, outInterface);
        append(sb, protocol);
        for (String m : matches) {
            append(sb, m);
        }
        append(sb, target.isEmpty() ? null : target);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String part) {
        if (part == null) {
            return;
        }
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(part);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String fullMask(boolean ipv6) {
        return ipv6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255";
    }

    /**
     * Quotes a comment as iptables-save does: bare when it is only [A-Za-z0-9_-], otherwise in double
     * quotes with {@code " ' \} backslash-escaped. Line breaks and other control characters cannot be
     * represented in a restore payload and are rejected; the planner never passes them (the source
     * validates names), so hitting this is a bug, not bad input.
     */
    public static String quote(String text) {
        boolean bare = !text.isEmpty();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("control character in iptables comment");
            }
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                bare = false;
            }
        }
        if (text.length() > 256) {
            throw new IllegalArgumentException("iptables comment longer than 256 characters");
        }
        if (bare) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static String checkWord(String word) {
        if (word.isEmpty() || word.length() > 64) {
            throw new IllegalArgumentException("bad iptables word '" + word + "'");
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                throw new IllegalArgumentException("bad iptables word '" + word + "'");
            }
        }
        return word;
    }

    private static String checkInterface(String name) {
        if (name.isEmpty() || name.length() > 15) {
            throw new IllegalArgumentException("bad interface name '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '_' || c == '-' || c == '.' || (c == '+' && i == name.length() - 1);
            if (!ok) {
                throw new IllegalArgumentException("bad interface name '" + name + "'");
            }
        }
        return name;
    }
}
