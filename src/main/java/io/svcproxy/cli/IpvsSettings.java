package io.svcproxy.cli;

import io.svcproxy.apply.LocalAddresses;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.ipvs.IpvsDiff;
import io.svcproxy.netlink.route.KubeIpvsInterface;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one place IPVS mode's options and its diff's scope are built, for run ({@link IpvsDaemon}),
 * plan and cleanup ({@link IpvsModeWiring}) alike: the configuration's ipvs.* section on top of the
 * common planner options, and what the diff treats as ours besides the plan.
 */
final class IpvsSettings {
    private IpvsSettings() {
    }

    /**
     * @param ipvs           the ipvs.* section, with any command-line flags applied
     * @param schedulerFlags IP_VS_SVC_F_SCHED* bits ({@link IpvsOptions#parseFlags}); 0 = kube-proxy's
     */
    static IpvsOptions options(PlannerOptions base, ProxyConfig.Ipvs ipvs, int schedulerFlags) {
        return new IpvsOptions(base, ipvs.scheduler(), schedulerFlags, ipvs.strictArp(), ipvs.tcpTimeout(),
                ipvs.tcpFinTimeout(), ipvs.udpTimeout(), ipvs.excludeCidrs());
    }

    /**
     * What the IPVS diff may delete besides what the plan and kube-ipvs0 name: services on the node's
     * own addresses (loopback left out), never those inside ipvs.excludeCIDRs.
     */
    static IpvsDiff.Scope scope(Collection<InetAddress> nodeAddresses, ProxyConfig.Ipvs ipvs) {
        return new IpvsDiff.Scope(nodeAddresses.stream().filter(a -> !a.isLoopbackAddress())
                .collect(Collectors.toSet()), ipvs.excludeCidrs(), IpvsDiff.DEFAULT_DRAIN_BOUND);
    }

    /** This node's addresses, without kube-ipvs0's (those are service VIPs). */
    static List<InetAddress> nodeAddresses() {
        return LocalAddresses.listExcept(KubeIpvsInterface.NAME);
    }
}
