package io.svcproxy.it;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.PlannedNftRules;
import io.svcproxy.testing.topology.Topology;

import java.util.List;

/** explain --live in nftables mode, the node programmed from the planned tables (nft -f). */
@KernelTest(tools = {"nft", "conntrack", "socat", "sysctl", "nstat"})
class ExplainNftTrafficIT extends ExplainTrafficScenarios {
    @Override
    NodeProgrammer programmer(Topology topology) {
        return new PlannedNftRules(topology);
    }

    @Override
    List<String> modeFlags() {
        return List.of("--proxy-mode", "nftables");
    }
}
