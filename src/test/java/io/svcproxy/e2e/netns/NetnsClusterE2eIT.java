package io.svcproxy.e2e.netns;

import io.svcproxy.e2e.E2eCluster;
import io.svcproxy.e2e.ServiceBehaviours;
import io.svcproxy.testing.KernelTest;

/**
 * The Service behaviours suite on the netns cluster ({@code make e2e}; part of {@code mvn verify}):
 * three nodes, each running the packaged svcproxy jar against one mock API server. Logs and rule
 * snapshots of failed tests stay in target/e2e-netns/RUN/.
 */
@KernelTest(tools = {"iptables-nft-restore", "ip6tables-nft-restore", "conntrack", "socat", "nmap", "curl", "ss",
        "sysctl"})
class NetnsClusterE2eIT extends ServiceBehaviours {
    @Override
    protected E2eCluster startCluster() {
        return NetnsCluster.start();
    }
}
