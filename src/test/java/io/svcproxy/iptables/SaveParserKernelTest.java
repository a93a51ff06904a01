package io.svcproxy.iptables;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parser round trip on real iptables-save output of both backends and both families. */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save", "iptables-legacy-restore",
        "ip6tables-nft-save", "ip6tables-nft-restore", "ip6tables-legacy-save", "ip6tables-legacy-restore", "nfacct"})
class SaveParserKernelTest {

    // Written in iptables-save's canonical order (built-ins, then user chains alphabetically).
    static final String V4 = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :DOCKER - [0:0]
            :DOCKER-USER - [0:0]
            :KUBE-FIREWALL - [0:0]
            :KUBE-SERVICES - [0:0]
            -A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A INPUT -j KUBE-FIREWALL
            -A FORWARD -j DOCKER-USER
            -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -o docker0 -j DOCKER
            -A DOCKER-USER -j RETURN
            -A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
            -A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            :KUBE-EXT-AAA - [0:0]
            :KUBE-FW-AAA - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-SEP-AAA - [0:0]
            :KUBE-SERVICES - [0:0]
            :KUBE-SVC-AAA - [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            -A DOCKER -i docker0 -j RETURN
            -A KUBE-EXT-AAA -j KUBE-SVC-AAA
            -A KUBE-FW-AAA -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
            -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
            -A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m comment --comment "ns2/svc2:p80" -m tcp --dport 3001 -m nfacct --nfacct-name  localhost_nps_accepted_pkts -j KUBE-EXT-AAA
            -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
            -A KUBE-SEP-AAA -p udp -m comment --comment "a\\"b\\'c\\\\d" -m udp -j DNAT --to-destination 10.180.0.5:80
            -A KUBE-SERVICES -d 172.30.0.41/32 -p sctp -m comment --comment "ns1/svc1:p80 cluster IP" -m sctp --dport 80 -j KUBE-SVC-AAA
            -A KUBE-SERVICES ! -d 127.0.0.0/8 -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
            -A KUBE-SVC-AAA -m comment --comment "ns1/svc1:p80 -> 10.180.0.5:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-AAA
            COMMIT
            """;

    static final String V6 = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :DOCKER-USER - [0:0]
            :KUBE-SERVICES - [0:0]
            -A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A FORWARD -j DOCKER-USER
            -A DOCKER-USER -j RETURN
            -A KUBE-SERVICES -d fd00:30::46/128 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp6-port-unreachable
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SEP-AAA - [0:0]
            :KUBE-SERVICES - [0:0]
            :KUBE-SVC-AAA - [0:0]
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
            -A KUBE-SEP-AAA -s fd00:180::5/128 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
            -A KUBE-SEP-AAA -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination [fd00:180::5]:80
            -A KUBE-SERVICES -d fd00:30::41/128 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAA
            -A KUBE-SVC-AAA -m comment --comment "ns1/svc1:p80 -> [fd00:180::5]:80" -j KUBE-SEP-AAA
            COMMIT
            """;

    @ParameterizedTest
    @EnumSource(IptablesTool.class)
    void roundTripsRealSaveOutput(IptablesTool tool) {
        String input = tool.family == io.svcproxy.model.IpFamily.V4 ? V4 : V6;
        try (NetNs ns = NetNs.create()) {
            ns.runChecked("nfacct", "add", "localhost_nps_accepted_pkts");
            ns.runChecked(List.of(tool.restore, "-w"), input);
            String saved = ns.runChecked(tool.save);
            Ruleset parsed = SaveParser.parse(tool.family, saved);
            String written = SaveWriter.toText(parsed);
            // Same tables, chains, rules; only the "#" lines and counters differ.
            assertEquals(canonical(saved), written);
            assertEquals(SaveParser.parse(tool.family, input).tables().keySet(), parsed.tables().keySet());
            for (String table : parsed.tables().keySet()) {
                assertEquals(SaveParser.parse(tool.family, input).table(table), parsed.table(table), tool + " " + table);
            }
        }
    }

    /** Save output without comment lines and with zero counters. */
    static String canonical(String saved) {
        StringBuilder sb = new StringBuilder();
        for (String line : saved.split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            sb.append(line.startsWith(":") ? line.replaceAll("\\[\\d+:\\d+\\]$", "[0:0]") : line).append('\n');
        }
        return sb.toString();
    }
}
