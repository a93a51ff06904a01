package io.svcproxy.cli;

import io.svcproxy.config.ProxyMode;

import java.util.List;

/**
 * The one place a proxy mode is chosen: run, plan and cleanup ask here for the mode's wiring and
 * know no mode themselves.
 */
final class Dataplanes {
    private Dataplanes() {
    }

    static ProxyModeWiring of(ProxyMode mode) {
        return switch (mode) {
            case IPTABLES -> new IptablesModeWiring();
            case IPVS -> new IpvsModeWiring();
            case NFTABLES -> new NftablesModeWiring();
        };
    }

    /**
     * The modes whose leftovers cleanup removes, in order: iptables first (IPVS mode's glue rules go
     * with it), then IPVS's services and ipsets, then nftables mode's tables.
     */
    static List<ProxyModeWiring> forCleanup() {
        return List.of(of(ProxyMode.IPTABLES), of(ProxyMode.IPVS), of(ProxyMode.NFTABLES));
    }
}
