package io.svcproxy.it;

import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Topology;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the traffic scenarios read from the node in nftables mode. */
final class NftTrafficChecks {
    private NftTrafficChecks() {
    }

    /**
     * kube-proxy's nftables rules carry no counters, so "the service's reject answered" is read from
     * reject-chain, which only the no-endpoint maps lead to: the map must send the VIP there, and the
     * first call replaces reject-chain's rule by the same reject with a counter (a test-only change
     * the daemon's next full sync would repair) and returns 0; later calls return its packets.
     */
    static long rejectedPackets(Topology topology, String vip) {
        String node = topology.node().name();
        String map = Exec.checked(Exec.in(node, List.of("nft", "list", "map", "ip", "kube-proxy", "no-endpoint-services")),
                null, Duration.ofSeconds(15));
        assertTrue(map.contains(vip + " . tcp . 80") && map.contains("goto reject-chain"),
                "no-endpoint-services sends " + vip + " to reject-chain:\n" + map);
        String chain = Exec.checked(Exec.in(node, List.of("nft", "-a", "list", "chain", "ip", "kube-proxy",
                "reject-chain")), null, Duration.ofSeconds(15));
        if (!chain.contains("counter packets")) {
            String handle = chain.lines().filter(l -> l.contains("reject") && l.contains("# handle"))
                    .filter(l -> !l.contains("chain ")).findFirst().orElseThrow(() -> new AssertionError(chain));
            handle = handle.substring(handle.lastIndexOf("handle ") + 7).trim();
            Exec.checked(Exec.in(node, List.of("nft", "replace", "rule", "ip", "kube-proxy", "reject-chain", "handle",
                    handle, "counter", "reject")), null, Duration.ofSeconds(15));
            return 0;
        }
        String line = Exec.checked(Exec.in(node, List.of("nft", "list", "chain", "ip", "kube-proxy", "reject-chain")),
                null, Duration.ofSeconds(15)).lines().filter(l -> l.contains("counter packets")).findFirst().orElseThrow();
        String n = line.substring(line.indexOf("counter packets ") + 16);
        return Long.parseLong(n.substring(0, n.indexOf(' ')));
    }
}
