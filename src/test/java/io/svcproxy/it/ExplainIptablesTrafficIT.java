package io.svcproxy.it;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.PlannedRules;
import io.svcproxy.testing.topology.Topology;

import java.util.List;

/** explain --live in iptables mode (nft backend), the node programmed from the planned payload. */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "nfacct", "conntrack", "socat", "sysctl", "nstat"})
class ExplainIptablesTrafficIT extends ExplainTrafficScenarios {
    @Override
    NodeProgrammer programmer(Topology topology) {
        return new PlannedRules(topology, IptablesTool.NFT_V4);
    }

    @Override
    List<String> modeFlags() {
        return List.of("--proxy-mode", "iptables", "--iptables-backend", "nft");
    }
}
