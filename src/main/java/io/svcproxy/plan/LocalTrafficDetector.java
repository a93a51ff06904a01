package io.svcproxy.plan;

import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.model.Cidr;

/**
 * Tells pod-originated traffic from the rest (kube-proxy's --detect-local-mode), as a match added
 * to a rule. {@link #NONE} when no detection is configured: then the rules that need it are omitted,
 * exactly as kube-proxy does.
 */
public record LocalTrafficDetector(Kind kind, Cidr cidr, String interfaceName) {

    public enum Kind { NONE, CIDR, INTERFACE }

    public static final LocalTrafficDetector NONE = new LocalTrafficDetector(Kind.NONE, null, null);

    /** ClusterCIDR and NodeCIDR modes: "-s CIDR" is local. */
    public static LocalTrafficDetector ofCidr(Cidr cidr) {
        return new LocalTrafficDetector(Kind.CIDR, cidr, null);
    }

    /** BridgeInterface ("br0") and InterfaceNamePrefix ("veth" becomes "veth+") modes. */
    public static LocalTrafficDetector ofInterface(String name) {
        return new LocalTrafficDetector(Kind.INTERFACE, null, name);
    }

    public boolean implemented() {
        return kind != Kind.NONE;
    }

    public RuleSpec ifLocal(RuleSpec rule) {
        return apply(rule, false);
    }

    public RuleSpec ifNotLocal(RuleSpec rule) {
        return apply(rule, true);
    }

    private RuleSpec apply(RuleSpec rule, boolean negate) {
        switch (kind) {
            case CIDR:
                return negate ? rule.notSource(cidr) : rule.source(cidr);
            case INTERFACE:
                return rule.inInterface(interfaceName, negate);
            default:
                throw new IllegalStateException("no local traffic detector configured");
        }
    }
}
