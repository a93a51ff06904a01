package io.svcproxy.it;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.Topology;

import java.util.List;

/** The traffic scenarios with the node programmed by the daemon in nftables mode (netlink, no nft binary). */
@KernelTest(tools = {"nft", "conntrack", "socat", "nmap", "ss", "sysctl"})
class NftDaemonTrafficIT extends TrafficScenarios {
    @Override
    NodeProgrammer programmer(Topology topology) {
        return new Daemon(topology, List.of("--proxy-mode", "nftables", "--sync-period", "30s",
                "--min-sync-period", "1s"));
    }

    @Override
    long rejectedPackets(String vip) {
        return NftTrafficChecks.rejectedPackets(topology, vip);
    }
}
