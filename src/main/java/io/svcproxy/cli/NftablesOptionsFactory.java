package io.svcproxy.cli;

import io.svcproxy.config.NodePortAddresses;
import io.svcproxy.plan.nftables.NftablesOptions;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.NodeInfo;

import java.net.InetAddress;
import java.util.List;

/**
 * Options of one family for nftables mode. The one difference from iptables mode: with no
 * --nodeport-addresses given, kube-proxy's nftables mode opens NodePorts on the node's primary IPs
 * only ("primary"), not on every local address.
 */
public final class NftablesOptionsFactory {
    private NftablesOptionsFactory() {
    }

    public static NftablesOptions create(ProxyConfig config, IpFamily family, NodeInfo node,
                                         List<InetAddress> localIPs, boolean tcpBeLiberal, List<Cidr> serviceCidrs) {
        ProxyConfig effective = config;
        if (config.nodePortAddresses().equals(NodePortAddresses.all())) {
            effective = config.toBuilder().nodePortAddresses(NodePortAddresses.primaryOnly()).build();
        }
        return new NftablesOptions(PlannerOptionsFactory.create(effective, family, node, localIPs, tcpBeLiberal),
                serviceCidrs);
    }
}
