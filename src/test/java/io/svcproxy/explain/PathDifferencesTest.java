package io.svcproxy.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.explain.iptables.IptablesExplainer;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Drift that changes a packet's fate shows as differences on its path; equal rules show none. */
class PathDifferencesTest {
    private static final String PLANNED = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :SVC - [0:0]
            -A PREROUTING -d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j SVC
            -A SVC -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.244.1.1:8080
            -A SVC -j DNAT --to-destination 10.244.1.2:8080
            COMMIT
            """;
    private static final String DRIFTED = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :SVC - [0:0]
            -A PREROUTING -d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j SVC
            -A SVC -j DNAT --to-destination 10.244.1.2:8080
            COMMIT
            """;

    private static Explanation explain(String dump) {
        Packet p = new Packet(Addresses.parseIp("10.244.9.9"), Addresses.parseIp("10.96.0.1"), 80, Protocol.TCP, null,
                Origin.ROUTED);
        return IptablesExplainer.explain(SaveParser.parse(IpFamily.V4, dump), p, new NodeFacts(List.of()), "t");
    }

    @Test
    void aRemovedEndpointRuleIsADifferenceOfProbabilitiesAndRules() {
        List<String> d = PathDifferences.of(explain(PLANNED), explain(DRIFTED));
        assertTrue(d.contains("endpoint 10.244.1.1:8080: planned p=0.5000, live p=0.0000"), d.toString());
        assertTrue(d.contains("endpoint 10.244.1.2:8080: planned p=0.5000, live p=1.0000"), d.toString());
        assertTrue(d.stream().anyMatch(x -> x.startsWith("only planned: nat SVC: -A SVC -m statistic")), d.toString());
    }

    @Test
    void equalRulesAgree() {
        assertEquals(List.of(), PathDifferences.of(explain(PLANNED), explain(PLANNED)));
        assertEquals("live and planned agree on this path\n", PathDifferences.render(explain(PLANNED), explain(PLANNED)));
    }
}
