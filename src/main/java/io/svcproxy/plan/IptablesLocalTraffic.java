package io.svcproxy.plan;

import io.svcproxy.iptables.RuleSpec;

/**
 * The {@link LocalTrafficDetector} as an iptables match ({@code -s CIDR} or {@code -i veth+}), for
 * iptables mode and IPVS mode's glue; nftables mode has its own rendering.
 */
public final class IptablesLocalTraffic {
    private IptablesLocalTraffic() {
    }

    public static RuleSpec ifLocal(LocalTrafficDetector d, RuleSpec rule) {
        return apply(d, rule, false);
    }

    public static RuleSpec ifNotLocal(LocalTrafficDetector d, RuleSpec rule) {
        return apply(d, rule, true);
    }

    private static RuleSpec apply(LocalTrafficDetector d, RuleSpec rule, boolean negate) {
        switch (d.kind()) {
            case CIDR:
                return negate ? rule.notSource(d.cidr()) : rule.source(d.cidr());
            case INTERFACE:
                return rule.inInterface(d.interfaceName(), negate);
            default:
                throw new IllegalStateException("no local traffic detector configured");
        }
    }
}
