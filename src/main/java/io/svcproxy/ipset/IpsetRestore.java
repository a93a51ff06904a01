package io.svcproxy.ipset;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders "ipset restore" payload lines, the way kube-proxy creates its sets ("create NAME TYPE
 * family inet hashsize 1024 maxelem 65536", "create NAME bitmap:port range 0-65535"). Every name and
 * member is validated against a strict grammar first, so nothing can break out of its line: a
 * restore payload is a command language.
 */
public final class IpsetRestore {
    public static final int HASH_SIZE = 1024;
    public static final int MAX_ELEM = 65536;
    public static final String PORT_RANGE = "0-65535";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,30}");
    private static final Pattern PROTO_PORT = Pattern.compile("(tcp|udp|sctp):([0-9]{1,5})");

    private IpsetRestore() {
    }

    /** "create ... -exist": idempotent, fails only if a set of that name has another definition. */
    public static String create(Ipset set) {
        StringBuilder sb = new StringBuilder("create ").append(set.name()).append(' ').append(set.type().text());
        if (set.type().hash()) {
            sb.append(" family ").append(set.family() == IpFamily.V4 ? "inet" : "inet6")
                    .append(" hashsize ").append(HASH_SIZE).append(" maxelem ").append(MAX_ELEM);
        } else {
            sb.append(" range ").append(PORT_RANGE);
        }
        return sb.append(" -exist").toString();
    }

    public static String add(Ipset set, String member) {
        return "add " + set.name() + " " + checkMember(set.type(), member) + " -exist";
    }

    public static String del(Ipset set, String member) {
        return "del " + set.name() + " " + checkMember(set.type(), member) + " -exist";
    }

    public static String flush(String name) {
        return "flush " + checkName(name);
    }

    public static String destroy(String name) {
        return "destroy " + checkName(name);
    }

    /** The complete payload for a fresh node: every set created, then filled. */
    public static List<String> complete(IpsetState state) {
        List<String> lines = new ArrayList<>();
        for (Ipset set : state.sets().values()) {
            lines.add(create(set));
            for (String m : set.members()) {
                lines.add(add(set, m));
            }
        }
        return lines;
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad ipset name '" + (name == null ? "null" : Addresses.printable(name)) + "'");
        }
        return name;
    }

    /** Checks a member's syntax for the set type, and that it is already in canonical form. */
    static String checkMember(IpsetType type, String member) {
        if (member == null || member.isEmpty() || member.length() > 128) {
            throw new IllegalArgumentException("bad ipset member");
        }
        String[] parts = member.split(",", -1);
        boolean ok;
        switch (type) {
            case HASH_IP:
                ok = parts.length == 1 && canonicalIp(parts[0]);
                break;
            case HASH_IP_PORT:
                ok = parts.length == 2 && canonicalIp(parts[0]) && protoPort(parts[1]);
                break;
            case HASH_IP_PORT_IP:
                ok = parts.length == 3 && canonicalIp(parts[0]) && protoPort(parts[1]) && canonicalIp(parts[2]);
                break;
            case HASH_IP_PORT_NET:
                ok = parts.length == 3 && canonicalIp(parts[0]) && protoPort(parts[1]) && canonicalCidr(parts[2]);
                break;
            case BITMAP_PORT:
                ok = parts.length == 1 && port(parts[0]);
                break;
            default:
                ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException("bad " + type.text() + " member '" + Addresses.printable(member) + "'");
        }
        return member;
    }

    private static boolean canonicalIp(String text) {
        try {
            InetAddress ip = Addresses.parseIp(text);
            return Addresses.format(ip).equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean canonicalCidr(String text) {
        try {
            return Cidr.parse(text).toString().equals(text) && text.indexOf('/') > 0 && Cidr.parse(text).prefixLength() > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean protoPort(String text) {
        var m = PROTO_PORT.matcher(text);
        return m.matches() && port(m.group(2));
    }

    private static boolean port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)
                || (text.length() > 1 && text.charAt(0) == '0')) {
            return false;
        }
        return Integer.parseInt(text) <= 65535;
    }
}
