package io.svcproxy.it;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.PlannedNftRules;
import io.svcproxy.testing.topology.Topology;

/**
 * The traffic scenarios in nftables mode with the node programmed from the planner's output
 * ({@code plan --proxy-mode nftables --output nft} into nft -f), no daemon involved.
 */
@KernelTest(tools = {"nft", "conntrack", "socat", "nmap", "ss", "sysctl"})
class PlannedNftRulesTrafficIT extends TrafficScenarios {
    @Override
    NodeProgrammer programmer(Topology topology) {
        return new PlannedNftRules(topology);
    }

    @Override
    long rejectedPackets(String vip) {
        return NftTrafficChecks.rejectedPackets(topology, vip);
    }
}
