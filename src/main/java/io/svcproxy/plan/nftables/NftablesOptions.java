package io.svcproxy.plan.nftables;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.PlannerOptions;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The planner options of one family plus what only nftables mode uses: the service CIDRs
 * (kube-proxy reads them from the ServiceCIDR objects; traffic to an unallocated address in them is
 * dropped). Empty service CIDRs leave that rule out, as kube-proxy does when it knows none.
 */
public record NftablesOptions(PlannerOptions base, List<Cidr> serviceCidrs) {
    public NftablesOptions {
        Objects.requireNonNull(base, "base");
        serviceCidrs = serviceCidrs.stream().filter(c -> c.family() == base.family()).toList();
    }

    public static NftablesOptions of(PlannerOptions base) {
        return new NftablesOptions(base, List.of());
    }

    public IpFamily family() {
        return base.family();
    }

    /**
     * The addresses NodePorts accept traffic on, when limited (nodeport-ips): this node's addresses
     * inside the NodePort CIDRs. Loopback never: nftables mode has no localhost NodePorts.
     */
    public List<InetAddress> nodePortIPs() {
        return base.nodePortIPs().stream().filter(ip -> !ip.isLoopbackAddress())
                .filter(ip -> base.nodePortAddresses().stream().anyMatch(c -> c.contains(ip)))
                .distinct().toList();
    }
}
