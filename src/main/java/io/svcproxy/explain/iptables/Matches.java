package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Origin;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.Protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The conditions a rule can hold. Exact for what depends only on the packet, the marks set earlier
 * in the walk, the node's addresses and the first packet's conntrack state (NEW, plus DNAT once
 * DNATed); "unknown" for what needs state we cannot see (the source port, an outgoing interface,
 * recent lists, ipsets, other modules).
 */
final class Matches {
    private Matches() {
    }

    static Condition of(Test fixed) {
        return (p, f, n, sets) -> fixed;
    }

    static Condition source(Cidr cidr, boolean negate) {
        return (p, f, n, sets) -> Test.of(cidr.contains(p.source()) != negate);
    }

    static Condition destination(Cidr cidr, boolean negate) {
        return (p, f, n, sets) -> Test.of(cidr.contains(f.destination()) != negate);
    }

    static Condition inInterface(String name, boolean negate) {
        return (p, f, n, sets) -> {
            if (p.origin() == Origin.LOCAL) {
                return Test.of(negate);   // locally generated packets have no input interface
            }
            if (p.inInterface() == null) {
                return new Test.Unknown("needs the input interface (--in-interface)");
            }
            return Test.of(interfaceMatches(name, p.inInterface()) != negate);
        };
    }

    static Condition outInterface(String name, boolean negate) {
        return (p, f, n, sets) -> new Test.Unknown("needs the output interface (a routing decision)");
    }

    static Condition protocol(String name, boolean negate) {
        return (p, f, n, sets) -> {
            if (name.equals("all") || name.equals("0")) {
                return Test.of(!negate);
            }
            return Test.of(protocolIs(p.protocol(), name) != negate);
        };
    }

    static boolean interfaceMatches(String pattern, String name) {
        return pattern.endsWith("+") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
                : pattern.equals(name);
    }

    static boolean protocolIs(Protocol p, String name) {
        return switch (name.toLowerCase()) {
            case "tcp", "6" -> p == Protocol.TCP;
            case "udp", "17" -> p == Protocol.UDP;
            case "sctp", "132" -> p == Protocol.SCTP;
            default -> false;
        };
    }

    static Condition module(String module, List<String> o) {
        return switch (module) {
            case "comment", "nfacct" -> of(Test.YES);
            case "tcp", "udp", "sctp" -> ports(module, o);
            case "multiport" -> multiport(o);
            case "addrtype" -> addrtype(o);
            case "conntrack", "state" -> ctstate(o);
            case "mark" -> mark(o);
            case "statistic" -> statistic(o);
            case "recent" -> recent(o);
            case "set" -> set(o);
            default -> of(new Test.Unknown("-m " + module + " is not evaluated"));
        };
    }

    private static Condition ports(String module, List<String> o) {
        return (p, f, n, sets) -> {
            if (!protocolIs(p.protocol(), module)) {
                return Test.NO;
            }
            return everyOption(o, (w, value) -> {
                if (w.equals("--dport") || w.equals("--destination-port")) {
                    return Test.of(inRange(value.get(), f.port()));
                } else if (w.equals("--sport") || w.equals("--source-port")) {
                    return new Test.Unknown("needs the source port");
                }
                return new Test.Unknown("-m " + module + " " + w + " is not evaluated");
            });
        };
    }

    /** One {@code --option VALUE} of a match: whether the packet meets it; {@code value} takes the option's argument. */
    private interface OptionTest {
        Test test(String option, java.util.function.Supplier<String> value);
    }

    /**
     * Walks a match's {@code [!] --option VALUE ...}: NO as soon as one option (turned round by a
     * {@code !} before it) does not hold, an option the test cannot judge ends the walk with its
     * Unknown, YES when every option holds.
     */
    private static Test everyOption(List<String> o, OptionTest test) {
        boolean negate = false;
        int[] i = {0};
        for (; i[0] < o.size(); i[0]++) {
            String w = o.get(i[0]);
            if (w.equals("!")) {
                negate = true;
                continue;
            }
            Test t = test.test(w, () -> o.get(++i[0]));
            if (t instanceof Test.Unknown) {
                return t;
            }
            if (!(t instanceof Test.No) == negate) {
                return Test.NO;
            }
            negate = false;
        }
        return Test.YES;
    }

    private static Condition multiport(List<String> o) {
        return (p, f, n, sets) -> {
            boolean negate = false;
            for (int i = 0; i < o.size(); i++) {
                String w = o.get(i);
                if (w.equals("!")) {
                    negate = true;
                } else if (w.equals("--dports") || w.equals("--destination-ports")) {
                    boolean any = Arrays.stream(o.get(++i).split(",")).anyMatch(r -> inRange(r, f.port()));
                    return Test.of(any != negate);
                } else {
                    return new Test.Unknown("-m multiport " + w + " is not evaluated");
                }
            }
            return Test.YES;
        };
    }

    private static boolean inRange(String range, int port) {
        int colon = range.indexOf(':');
        if (colon < 0) {
            return Integer.parseInt(range) == port;
        }
        int lo = colon == 0 ? 0 : Integer.parseInt(range.substring(0, colon));
        int hi = colon == range.length() - 1 ? 65535 : Integer.parseInt(range.substring(colon + 1));
        return port >= lo && port <= hi;
    }

    private static Condition addrtype(List<String> o) {
        return (p, f, n, sets) -> everyOption(o, (w, value) -> {
            java.net.InetAddress a;
            if (w.equals("--dst-type")) {
                a = f.destination();
            } else if (w.equals("--src-type")) {
                a = p.source();
            } else {
                return new Test.Unknown("-m addrtype " + w + " is not evaluated");
            }
            Set<String> types = Set.of(value.get().split(","));
            String type = n.isLocal(a) ? "LOCAL" : a.isMulticastAddress() ? "MULTICAST" : "UNICAST";
            if (!types.stream().allMatch(Set.of("LOCAL", "MULTICAST", "UNICAST")::contains)) {
                return new Test.Unknown("-m addrtype type " + types + " is not evaluated");
            }
            return Test.of(types.contains(type));
        });
    }

    private static Condition ctstate(List<String> o) {
        return (p, f, n, sets) -> everyOption(o, (w, value) -> {
            if (!w.equals("--ctstate") && !w.equals("--state")) {
                return new Test.Unknown("-m conntrack " + w + " is not evaluated");
            }
            // the first packet of a new connection: NEW, and DNAT once a DNAT rule rewrote it
            boolean any = false;
            for (String s : value.get().split(",")) {
                any |= s.equals("NEW") || s.equals("DNAT") && f.dnatted();
            }
            return Test.of(any);
        });
    }

    private static Condition mark(List<String> o) {
        boolean negate = o.get(0).equals("!");
        String[] vm = o.get(negate ? 2 : 1).split("/");
        long value = Long.decode(vm[0]);
        long mask = vm.length > 1 ? Long.decode(vm[1]) : 0xffffffffL;
        return (p, f, n, sets) -> Test.of(((f.mark() & mask) == value) != negate);
    }

    /** {@code --mode random --probability P}: the kernel keeps P as a 31-bit fixed point number. */
    private static Condition statistic(List<String> o) {
        int mode = o.indexOf("--mode");
        int prob = o.indexOf("--probability");
        if (mode < 0 || !o.get(mode + 1).equals("random") || prob < 0 || o.contains("!")) {
            return of(new Test.Unknown("-m statistic " + String.join(" ", o) + " is not evaluated"));
        }
        double p = Math.round(Double.parseDouble(o.get(prob + 1)) * 0x80000000L) / (double) 0x80000000L;
        return of(new Test.Random(p));
    }

    /** {@code -m set [!] --match-set NAME FLAGS}: looked up by the walk's {@link SetMatcher}. */
    private static Condition set(List<String> o) {
        int i = o.indexOf("--match-set");
        if (i < 0 || i + 2 >= o.size() || o.size() > i + 3) {
            return of(new Test.Unknown("-m set " + String.join(" ", o) + " is not evaluated"));
        }
        boolean negate = i > 0 && o.get(i - 1).equals("!");
        String name = o.get(i + 1);
        String flags = o.get(i + 2);
        return (p, f, n, sets) -> {
            Test t = sets.match(name, flags, p, f);
            return negate && !(t instanceof Test.Unknown) ? Test.of(t instanceof Test.No) : t;
        };
    }

    /**
     * {@code --set} always matches (it records the client); {@code --rcheck} asks whether this client
     * was recorded within --seconds, which only the kernel's recent list knows.
     */
    private static Condition recent(List<String> o) {
        if (o.contains("--set")) {
            return of(Test.YES);
        }
        return of(new Test.Unknown("session affinity: -m recent list of earlier clients (assumed: none from this"
                + " source)"));
    }
}
