package io.svcproxy.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.explain.iptables.IptablesExplainer;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.iptables.StatisticProbability;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** The iptables walk on hand-made rulesets: forks, foreign and unknown rules, gotos, policies. */
class IptablesExplainerTest {
    private static final NodeFacts NODE = new NodeFacts(List.of(Addresses.parseIp("192.168.56.11")));

    private static Packet tcp(String from, String to, int port, String in) {
        return new Packet(Addresses.parseIp(from), Addresses.parseIp(to), port, Protocol.TCP, in, Origin.ROUTED);
    }

    private static Explanation explain(String dump, Packet p) {
        Ruleset rules = SaveParser.parse(IpFamily.V4, dump);
        return IptablesExplainer.explain(rules, p, NODE, "test");
    }

    /** kube-proxy's cascade 1/n, 1/(n-1), ... gives every one of n endpoints 1/n, to the kernel's precision. */
    @Test
    void statisticCascadeResolvesToEqualShares() {
        int n = 7;
        StringBuilder dump = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:SVC - [0:0]\n");
        dump.append("-A PREROUTING -d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j SVC\n");
        for (int i = 0; i < n; i++) {
            String stat = i < n - 1 ? "-m statistic --mode random --probability " + StatisticProbability.savedText(n - i)
                    + " " : "";
            dump.append("-A SVC ").append(stat).append("-j DNAT --to-destination 10.244.1.").append(i + 1).append(":8080\n");
        }
        dump.append("COMMIT\n");
        Explanation e = explain(dump.toString(), tcp("10.244.9.9", "10.96.0.1", 80, null));
        assertEquals(Verdict.DELIVERED, e.verdict());
        Map<String, Double> eps = e.endpoints();
        assertEquals(n, eps.size());
        eps.values().forEach(p -> assertEquals(1.0 / n, p, 1e-8));
        assertEquals(1.0, eps.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
    }

    @Test
    void foreignRulesAreEvaluatedOnAddressesAndFlaggedWhereTheyNeedState() {
        String dump = """
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                :DOCKER-USER - [0:0]
                -A FORWARD -j DOCKER-USER
                -A FORWARD -i eth0 -j ACCEPT
                -A DOCKER-USER -m limit --limit 5/sec -j LOG
                -A DOCKER-USER -s 198.51.100.0/24 -g DOCKER-ISOLATE
                -A DOCKER-USER -j RETURN
                :DOCKER-ISOLATE - [0:0]
                -A DOCKER-ISOLATE -p udp -j DROP
                COMMIT
                """;
        Explanation inEth0 = explain(dump, tcp("203.0.113.5", "10.0.0.9", 22, "eth0"));
        Path only = inEth0.paths().get(0);
        assertEquals(Verdict.NOT_A_SERVICE, only.verdict());
        assertTrue(only.hops().stream().anyMatch(h -> h.foreign() && h.note() != null
                && h.note().startsWith("not evaluated: -m limit")), only.hops().toString());

        // a goto into a chain that falls off its end returns past the caller: the FORWARD policy drops
        Explanation other = explain(dump, tcp("198.51.100.5", "10.0.0.9", 22, "eth1"));
        assertEquals(Verdict.DROPPED, other.verdict());
        Hop last = other.paths().get(0).hops().get(other.paths().get(0).hops().size() - 1);
        assertEquals("policy DROP", last.rule());

        // without the interface, -i is not evaluated
        Explanation unknown = explain(dump, tcp("203.0.113.5", "10.0.0.9", 22, null));
        assertTrue(unknown.paths().get(0).hops().stream().anyMatch(h -> h.note() != null
                && h.note().contains("needs the input interface")));
    }

    @Test
    void marksSetEarlierDecideTheMasqueradeAndItsReason() {
        String dump = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-SVC-X - [0:0]
                :KUBE-POSTROUTING - [0:0]
                -A PREROUTING -d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X
                -A KUBE-SVC-X ! -s 10.244.0.0/16 -d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ
                -A KUBE-SVC-X -j DNAT --to-destination 10.244.1.1:8080
                -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
                -A POSTROUTING -j KUBE-POSTROUTING
                -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
                -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
                -A KUBE-POSTROUTING -j MASQUERADE
                COMMIT
                """;
        Path outside = explain(dump, tcp("198.51.100.7", "10.96.0.1", 80, null)).paths().get(0);
        assertTrue(outside.masquerade().startsWith("source outside the cluster CIDR"), outside.masquerade());
        Path pod = explain(dump, tcp("10.244.2.2", "10.96.0.1", 80, null)).paths().get(0);
        assertNull(pod.masquerade());
        assertEquals("10.244.1.1:8080", pod.endpoint());
    }

    @Test
    void nodeOriginatedTrafficWalksOutput() {
        String dump = """
                *nat
                :OUTPUT ACCEPT [0:0]
                :PREROUTING ACCEPT [0:0]
                -A PREROUTING -d 10.96.0.1/32 -j DNAT --to-destination 10.244.1.1:1
                -A OUTPUT -d 10.96.0.1/32 -m addrtype ! --src-type LOCAL -j DNAT --to-destination 10.244.1.1:2
                -A OUTPUT -d 10.96.0.1/32 -j DNAT --to-destination 10.244.1.1:3
                COMMIT
                """;
        Packet fromNode = new Packet(Addresses.parseIp("192.168.56.11"), Addresses.parseIp("10.96.0.1"), 80,
                Protocol.TCP, null, Origin.LOCAL);
        assertEquals(Map.of("10.244.1.1:3", 1.0), explain(dump, fromNode).endpoints());
    }
}
