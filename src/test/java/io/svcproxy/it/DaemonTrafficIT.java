package io.svcproxy.it;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.Topology;

import java.util.List;

/** The traffic scenarios with the node programmed by the daemon (file reload and its conntrack cleanup included). */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "nfacct", "conntrack", "socat", "nmap", "ss", "sysctl"})
class DaemonTrafficIT extends TrafficScenarios {
    @Override
    NodeProgrammer programmer(Topology topology) {
        return new Daemon(topology, List.of("--iptables-backend", "nft", "--sync-period", "30s", "--min-sync-period", "1s"));
    }
}
