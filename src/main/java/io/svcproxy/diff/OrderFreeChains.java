package io.svcproxy.diff;

import io.svcproxy.plan.KubeChains;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared chains whose rule order is free where it does not change a verdict, so a node keeps the
 * order it has (kube-proxy's, which is Go map order and changes on its every sync) instead of being
 * rewritten into ours.
 *
 * <p>Their rules are kube-proxy's per-service-port rules: each matches one protocol and destination
 * port ({@code -p P ... --dport N}), most also one destination address ({@code -d IP/32}). Two rules can
 * match the same packet only when they share protocol and port and one has no host destination (a
 * NodePort rule, {@code -d 127.0.0.0/8}) or both have the same one; every other rule (no {@code --dport},
 * such as the nodeports jump that must be last in nat KUBE-SERVICES) can match anything. An order is
 * equivalent to the desired one when it holds the same rules and every pair that can match one
 * packet is in the desired relative order; two rules that differ only in their comment count as the
 * same rule for that (same match, same target: the same verdict whichever comes first).
 */
final class OrderFreeChains {
    private static final Set<String> NAT = Set.of(KubeChains.SERVICES, KubeChains.NODEPORTS);
    private static final Set<String> FILTER = Set.of(KubeChains.SERVICES, KubeChains.EXTERNAL_SERVICES,
            KubeChains.NODEPORTS, KubeChains.PROXY_FIREWALL);
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");
    private static final String COMMENT = "-m comment --comment ";

    private OrderFreeChains() {
    }

    static boolean applies(String table, String chain) {
        return switch (table) {
            case "nat" -> NAT.contains(chain);
            case "filter" -> FILTER.contains(chain);
            default -> false;
        };
    }

    /** What a rule can match, as far as order goes: null for "anything". */
    private record Key(String proto, String port, String host) {
    }

    static Key key(String withComment) {
        String[] t = verdict(withComment).split(" ");
        String proto = null;
        String matchProto = null;
        String port = null;
        String dst = null;
        for (int i = 0; i < t.length; i++) {
            String token = t[i];
            if (token.equals("!")) {
                if (i + 1 < t.length && (t[i + 1].equals("-p") || t[i + 1].equals("-d") || t[i + 1].equals("--dport"))) {
                    return null;   // a negated protocol, address or port can match nearly anything
                }
                continue;
            }
            if (i + 1 >= t.length) {
                break;
            }
            String value = t[i + 1];
            switch (token) {
                case "-p" -> proto = proto == null ? value : "";
                case "-d" -> dst = dst == null ? value : "";
                case "--dport" -> port = port == null ? value : "";
                case "-m" -> {
                    if (PROTOCOLS.contains(value)) {
                        matchProto = value;
                    }
                }
                default -> { }
            }
        }
        if (proto == null || port == null || !PROTOCOLS.contains(proto) || !proto.equals(matchProto) || port.isEmpty()
                || !port.chars().allMatch(Character::isDigit) || "".equals(dst)) {
            return null;
        }
        String host = dst != null && (dst.endsWith("/32") || dst.endsWith("/128")) ? dst : null;
        return new Key(proto, port, host);
    }

    /** The rule without its comment: rules equal this way have the same verdict in either order. */
    static String verdict(String rule) {
        int at = rule.indexOf(COMMENT);
        if (at < 0) {
            return rule;
        }
        int start = at + COMMENT.length();
        int end;
        if (start < rule.length() && rule.charAt(start) == '"') {
            end = start + 1;
            while (end < rule.length() && rule.charAt(end) != '"') {
                end += rule.charAt(end) == '\\' ? 2 : 1;
            }
            end = Math.min(end + 1, rule.length());
        } else {
            end = rule.indexOf(' ', start);
            end = end < 0 ? rule.length() : end;
        }
        String cut = (at > 0 && rule.charAt(at - 1) == ' ' ? rule.substring(0, at - 1) : rule.substring(0, at))
                + rule.substring(end);
        return verdict(cut.startsWith(" ") ? cut.substring(1) : cut);
    }

    /**
     * Whether {@code have} is {@code want} in an order that gives every packet the same verdict (false
     * when either repeats a rule).
     */
    static boolean equivalent(List<String> have, List<String> want) {
        Set<String> haveSet = new HashSet<>(have);
        if (have.size() != want.size() || haveSet.size() != have.size() || !haveSet.equals(new HashSet<>(want))) {
            return false;
        }
        return constraints(have).equals(constraints(want));
    }

    /**
     * The order that matters, as a comparable value: the rules that can match anything in order, and
     * between two of them (segments), per protocol and port, the sequence of verdicts of the rules
     * that can overlap (those without a host destination, and hosts that occur more than once);
     * rules with a host of their own in their group commute with the rest of it.
     */
    private static List<Object> constraints(List<String> rules) {
        List<Object> out = new ArrayList<>();
        Map<String, List<String>> segment = new HashMap<>();
        Map<String, List<Key>> keys = new HashMap<>();
        for (String rule : rules) {
            Key k = key(rule);
            if (k == null) {
                out.add(reduce(segment, keys));
                out.add(rule);
                segment = new HashMap<>();
                keys = new HashMap<>();
                continue;
            }
            String group = k.proto + " " + k.port;
            segment.computeIfAbsent(group, g -> new ArrayList<>()).add(rule);
            keys.computeIfAbsent(group, g -> new ArrayList<>()).add(k);
        }
        out.add(reduce(segment, keys));
        return out;
    }

    private static Map<String, Object> reduce(Map<String, List<String>> segment, Map<String, List<Key>> keys) {
        Map<String, Object> out = new HashMap<>();
        segment.forEach((group, rules) -> {
            List<Key> k = keys.get(group);
            Map<String, Integer> hosts = new HashMap<>();
            boolean anyHostless = false;
            for (Key key : k) {
                if (key.host == null) {
                    anyHostless = true;
                } else {
                    hosts.merge(key.host, 1, Integer::sum);
                }
            }
            List<String> ordered = new ArrayList<>();
            Set<String> free = new HashSet<>();
            for (int i = 0; i < rules.size(); i++) {
                Key key = k.get(i);
                boolean overlapsAnother = key.host == null ? rules.size() > 1 : anyHostless || hosts.get(key.host) > 1;
                if (overlapsAnother) {
                    ordered.add(verdict(rules.get(i)));
                } else {
                    free.add(rules.get(i));
                }
            }
            out.put(group, List.of(ordered, free));
        });
        return out;
    }

    /**
     * {@code have} turned into an order equivalent to {@code want} with as few moves as possible: the
     * rules want lacks removed, the rules have lacks inserted each just before the rule that follows
     * it in want (at the end when none does), everything else where it is. Null when that order is
     * not equivalent to want, or either list repeats a rule.
     */
    static List<String> keepOrder(List<String> have, List<String> want) {
        Set<String> wanted = new HashSet<>(want);
        Set<String> had = new HashSet<>(have);
        if (wanted.size() != want.size() || had.size() != have.size()) {
            return null;
        }
        // Walking want backwards: each missing rule goes before the next desired rule that is present.
        Map<String, List<String>> before = new HashMap<>();
        List<String> atEnd = new ArrayList<>();
        String next = null;
        for (int i = want.size() - 1; i >= 0; i--) {
            String rule = want.get(i);
            if (had.contains(rule)) {
                next = rule;
            } else {
                (next == null ? atEnd : before.computeIfAbsent(next, n -> new ArrayList<>())).add(rule);
            }
        }
        List<String> out = new ArrayList<>(want.size());
        for (String rule : have) {
            if (!wanted.contains(rule)) {
                continue;
            }
            List<String> inserted = before.get(rule);
            if (inserted != null) {
                for (int j = inserted.size() - 1; j >= 0; j--) {
                    out.add(inserted.get(j));
                }
            }
            out.add(rule);
        }
        for (int j = atEnd.size() - 1; j >= 0; j--) {
            out.add(atEnd.get(j));
        }
        return equivalent(out, want) ? out : null;
    }
}
