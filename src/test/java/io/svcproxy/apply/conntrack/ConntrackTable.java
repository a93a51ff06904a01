package io.svcproxy.apply.conntrack;

import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.testing.NetNs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A fixed conntrack table for the cleaner kernel tests, created with "conntrack -I" in a namespace:
 * entries the filters below select, and neighbours that differ in exactly one field and must stay.
 */
final class ConntrackTable {
    private ConntrackTable() {
    }

    static void populate(NetNs ns) {
        // deleted: service IP + port, DNATed to the stale endpoint 10.244.1.5
        udp(ns, "10.0.0.1", 1234, "10.96.0.10", 53, "10.244.1.5", 53);
        // kept: same service, another endpoint
        udp(ns, "10.0.0.1", 1235, "10.96.0.10", 53, "10.244.1.6", 53);
        // deleted: NodePort 30053 to the stale endpoint
        udp(ns, "10.0.0.2", 1000, "192.168.1.1", 30053, "10.244.1.5", 53);
        // kept: another node port to the same endpoint
        udp(ns, "10.0.0.2", 1001, "192.168.1.1", 30054, "10.244.1.5", 53);
        // deleted: a service that had no endpoints (entry without DNAT)
        udp(ns, "10.0.0.3", 999, "10.96.0.20", 53, "10.96.0.20", 53);
        // kept: TCP is never cleaned
        ns.runChecked("conntrack", "-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.96.0.10", "--sport", "1236",
                "--dport", "53", "-r", "10.244.1.5", "-q", "10.0.0.1", "--reply-port-src", "53", "--reply-port-dst",
                "1236", "--state", "ESTABLISHED", "--timeout", "120");
        // IPv6: deleted, kept
        udp(ns, "fd00::1", 1234, "fd00:96::10", 53, "fd00:244::5", 53);
        udp(ns, "fd00::1", 1235, "fd00:96::10", 53, "fd00:244::6", 53);
    }

    static final int EXPECTED_DELETED = 4;

    static List<ConntrackFilter> filters() {
        return List.of(
                new ConntrackFilter(IpFamily.V4, Protocol.UDP, ip("10.96.0.10"), 53, ip("10.244.1.5")),
                new ConntrackFilter(IpFamily.V4, Protocol.UDP, null, 30053, ip("10.244.1.5")),
                new ConntrackFilter(IpFamily.V4, Protocol.UDP, ip("10.96.0.20"), 0, null),
                new ConntrackFilter(IpFamily.V6, Protocol.UDP, ip("fd00:96::10"), 53, ip("fd00:244::5")));
    }

    /** What must remain, as "src sport -> dst dport" of the original direction, per listing line. */
    static final List<String> KEPT_V4 = List.of("sport=1235", "dport=30054", "tcp");
    static final List<String> KEPT_V6 = List.of("sport=1235");

    static List<String> list(NetNs ns, String family) {
        return ns.runChecked("conntrack", "-L", "-f", family).lines().filter(l -> !l.isBlank()).toList();
    }

    private static void udp(NetNs ns, String src, int sport, String dst, int dport, String replySrc, int replySport) {
        ns.runChecked("conntrack", "-I", "-p", "udp", "-s", src, "-d", dst, "--sport", Integer.toString(sport),
                "--dport", Integer.toString(dport), "-r", replySrc, "-q", src,
                "--reply-port-src", Integer.toString(replySport), "--reply-port-dst", Integer.toString(sport),
                "--timeout", "120", "-u", "ASSURED");
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
