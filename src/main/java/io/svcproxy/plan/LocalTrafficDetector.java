package io.svcproxy.plan;

import io.svcproxy.model.Cidr;

/**
 * Tells pod-originated traffic from the rest (kube-proxy's --detect-local-mode), mode-neutrally: each
 * mode writes it as its own match ({@link IptablesLocalTraffic}; nftables mode's NftLocalTraffic).
 * {@link #NONE} when no detection is configured: then the rules that need it are omitted, exactly as
 * kube-proxy does.
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
}
