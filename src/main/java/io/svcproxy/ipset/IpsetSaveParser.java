package io.svcproxy.ipset;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Parses "ipset save" (or "ipset list -o save") output into an {@link IpsetState}, keeping only the
 * sets kube-proxy's IPVS mode names (KUBE-*, KUBE-6-*, the legacy SCTP ones): foreign sets are
 * never read, so they can never be changed. Members are brought to the canonical form the planner
 * writes (a host net "10.0.0.1" of a hash:ip,port,net set becomes "10.0.0.1/32"); a member that
 * cannot be understood is dropped, so the diff re-adds whatever the plan wants. Pure.
 */
public final class IpsetSaveParser {
    private IpsetSaveParser() {
    }

    public static IpsetState parse(String save) {
        Map<String, Ipset> sets = new LinkedHashMap<>();
        Map<String, SortedSet<String>> members = new LinkedHashMap<>();
        for (String raw : save.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 3) {
                continue;
            }
            String name = f[1];
            if (!KubeIpsets.isKubeSetName(name)) {
                continue;
            }
            if (f[0].equals("create")) {
                IpsetType type = type(f[2]);
                if (type == null) {
                    // A set of ours with a type we never create: keep it visible so the diff re-creates it.
                    type = IpsetType.HASH_IP;
                    sets.put(name, new Ipset(name, type, family(f), "unknown type " + f[2], new TreeSet<>()));
                    members.put(name, null);
                    continue;
                }
                sets.put(name, new Ipset(name, type, family(f), comment(name), new TreeSet<>()));
                members.put(name, new TreeSet<>());
            } else if (f[0].equals("add")) {
                Ipset set = sets.get(name);
                SortedSet<String> m = members.get(name);
                if (set == null || m == null) {
                    continue;
                }
                String member = canonical(set.type(), f[2]);
                if (member != null) {
                    m.add(member);
                }
            }
        }
        List<Ipset> out = new ArrayList<>();
        for (Ipset s : sets.values()) {
            SortedSet<String> m = members.get(s.name());
            out.add(m == null ? s : s.withMembers(m));
        }
        return IpsetState.of(out);
    }

    private static IpsetType type(String text) {
        for (IpsetType t : IpsetType.values()) {
            if (t.text().equals(text)) {
                return t;
            }
        }
        return null;
    }

    private static IpFamily family(String[] f) {
        for (int i = 3; i + 1 < f.length; i++) {
            if (f[i].equals("family")) {
                return f[i + 1].equals("inet6") ? IpFamily.V6 : IpFamily.V4;
            }
        }
        return IpFamily.V4;
    }

    private static String comment(String name) {
        for (KubeIpsets s : KubeIpsets.values()) {
            if (s.setName(IpFamily.V4).equals(name) || s.setName(IpFamily.V6).equals(name)) {
                return s.comment();
            }
        }
        return "";
    }

    /** The member as the planner writes it, or null when it is not a valid member of the type. */
    static String canonical(IpsetType type, String member) {
        String candidate = member;
        try {
            String[] parts = member.split(",", -1);
            switch (type) {
                case HASH_IP:
                    candidate = ip(parts[0]);
                    break;
                case HASH_IP_PORT:
                    candidate = ip(parts[0]) + "," + parts[1].toLowerCase(java.util.Locale.ROOT);
                    break;
                case HASH_IP_PORT_IP:
                    candidate = ip(parts[0]) + "," + parts[1].toLowerCase(java.util.Locale.ROOT) + "," + ip(parts[2]);
                    break;
                case HASH_IP_PORT_NET:
                    String net = parts[2].contains("/") ? parts[2]
                            : parts[2] + (Addresses.parseIp(parts[2]).getAddress().length == 4 ? "/32" : "/128");
                    candidate = ip(parts[0]) + "," + parts[1].toLowerCase(java.util.Locale.ROOT) + ","
                            + Cidr.parse(net);
                    break;
                default:
                    break;
            }
            return IpsetRestore.checkMember(type, candidate);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String ip(String text) {
        return Addresses.format(Addresses.parseIp(text));
    }
}
