package io.svcproxy.config;

/**
 * kube-proxy's --proxy-mode values that svcproxy knows; "" means the default, iptables. Which of them
 * this build can run is decided where the dataplane is built (cli.Dataplanes), not here.
 */
public enum ProxyMode {
    IPTABLES("iptables"), IPVS("ipvs"), NFTABLES("nftables");

    private final String flagValue;

    ProxyMode(String flagValue) {
        this.flagValue = flagValue;
    }

    public String flagValue() {
        return flagValue;
    }

    public static ProxyMode parse(String text) {
        if (text == null || text.isEmpty()) {
            return IPTABLES;
        }
        for (ProxyMode m : values()) {
            if (m.flagValue.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown proxy mode '" + text + "' (expected iptables, ipvs or nftables)");
    }
}
