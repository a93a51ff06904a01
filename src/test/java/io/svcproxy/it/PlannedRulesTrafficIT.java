package io.svcproxy.it;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.PlannedRules;
import io.svcproxy.testing.topology.Topology;

/**
 * The traffic scenarios with the node programmed from the planner's payload
 * ({@code svcproxy plan --output restore} into iptables-nft-restore), no daemon involved.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "nfacct", "conntrack", "socat", "nmap", "ss", "sysctl"})
class PlannedRulesTrafficIT extends TrafficScenarios {
    @Override
    NodeProgrammer programmer(Topology topology) {
        return new PlannedRules(topology, IptablesTool.NFT_V4);
    }
}
