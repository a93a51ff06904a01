package io.svcproxy.it;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Switching a node between modes, as kube-proxy does it: the mode that starts removes the other
 * mode's rules, so the old ones never keep catching service traffic first. iptables -> nftables ->
 * iptables on one node namespace, with traffic checked after each switch.
 */
@KernelTest(tools = {"nft", "iptables-nft-save", "iptables-nft-restore", "conntrack", "socat", "ss", "sysctl"})
class ModeSwitchIT {
    private static final Duration CMD = Duration.ofSeconds(30);
    private Topology topology;
    private Daemon daemon;
    private ClusterFile cluster;

    @BeforeEach
    void setUp() {
        topology = Topology.builder().backend("a", "10.244.1.11").backend("b", "10.244.1.12").build();
        cluster = new ClusterFile(topology.dir()).write(ClusterFile.documents(ClusterFile.node(), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: traffic}
                spec:
                  clusterIP: 10.96.1.10
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                """, ClusterFile.slice("traffic", "web", List.of("http:8080/TCP"),
                List.of(ClusterFile.Ep.local("10.244.1.11"), ClusterFile.Ep.local("10.244.1.12")))));
    }

    @AfterEach
    void tearDown() {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (topology != null) {
                topology.close();
            }
        }
    }

    private void run(List<String> modeFlags) {
        if (daemon != null) {
            daemon.close();
        }
        daemon = new Daemon(topology, modeFlags);
        daemon.start(cluster, TrafficScenarios.FLAGS);
    }

    private String iptablesNat() {
        return Exec.checked(Exec.in(topology.node().name(), List.of("iptables-nft-save", "-t", "nat")), null, CMD);
    }

    private String nftTables() {
        return Exec.checked(Exec.in(topology.node().name(), List.of("nft", "list", "tables")), null, CMD);
    }

    private void assertServed(String when) {
        Histogram h = topology.client().tcpMany("10.96.1.10", 80, 10, 2);
        assertEquals(0, h.failures(), when + ": " + h);
    }

    @Test
    void eachModeRemovesTheOtherModesRulesAtStartUp() {
        run(List.of("--proxy-mode", "iptables", "--iptables-backend", "nft"));
        assertTrue(iptablesNat().contains("-A KUBE-SERVICES"), "iptables mode's rules are in");
        assertServed("iptables mode");

        run(List.of("--proxy-mode", "nftables"));
        assertFalse(iptablesNat().contains("KUBE-SERVICES"), "nftables mode removed iptables mode's chains:\n"
                + iptablesNat());
        assertTrue(nftTables().contains("table ip kube-proxy"), nftTables());
        assertServed("nftables mode, after iptables mode");

        run(List.of("--proxy-mode", "iptables", "--iptables-backend", "nft"));
        assertFalse(nftTables().contains("kube-proxy"), "iptables mode removed nftables mode's tables:\n" + nftTables());
        assertTrue(iptablesNat().contains("-A KUBE-SERVICES"));
        assertServed("iptables mode, after nftables mode");
    }
}
