package io.svcproxy.plan.nftables;

import io.svcproxy.model.IpFamily;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.plan.LocalTrafficDetector;

import java.util.List;

/** kube-proxy's local-traffic detector as nft matches: {@code ip saddr CIDR} or {@code iifname "veth*"}. */
final class NftLocalTraffic {
    private NftLocalTraffic() {
    }

    /** @param negate true for "not from a local pod" */
    static List<NftExpr> match(IpFamily family, LocalTrafficDetector d, boolean negate) {
        return switch (d.kind()) {
            case CIDR -> NftRules.addrMatch(family, true, d.cidr(), negate);
            case INTERFACE -> NftRules.iifname(d.interfaceName(), negate);
            case NONE -> throw new IllegalStateException("no local traffic detector configured");
        };
    }
}
