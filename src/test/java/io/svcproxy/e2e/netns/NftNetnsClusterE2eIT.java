package io.svcproxy.e2e.netns;

import io.svcproxy.e2e.E2eCluster;
import io.svcproxy.e2e.ServiceBehaviours;
import io.svcproxy.testing.KernelTest;

/**
 * The Service behaviours suite on the netns cluster with every node's svcproxy in nftables mode
 * ({@code make e2e}; part of {@code mvn verify}).
 */
@KernelTest(tools = {"nft", "iptables-nft-restore", "ip6tables-nft-restore", "conntrack", "socat", "nmap", "curl",
        "ss", "sysctl"})
class NftNetnsClusterE2eIT extends ServiceBehaviours {
    @Override
    protected E2eCluster startCluster() {
        return NetnsCluster.start(NetnsCluster.NFTABLES);
    }
}
