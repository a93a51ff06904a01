package io.svcproxy.config;

import io.svcproxy.model.Cidr;

import java.util.ArrayList;
import java.util.List;

/**
 * Where NodePorts are opened (kube-proxy --nodeport-addresses): all local addresses (empty),
 * the node's primary IPs ("primary"), or the local addresses inside the given CIDRs.
 */
public record NodePortAddresses(boolean primary, List<Cidr> cidrs) {
    public static final String PRIMARY = "primary";

    public NodePortAddresses {
        cidrs = List.copyOf(cidrs);
        if (primary && !cidrs.isEmpty()) {
            throw new IllegalArgumentException("\"primary\" cannot be combined with CIDRs");
        }
    }

    public static NodePortAddresses all() {
        return new NodePortAddresses(false, List.of());
    }

    public static NodePortAddresses primaryOnly() {
        return new NodePortAddresses(true, List.of());
    }

    public boolean isAll() {
        return !primary && cidrs.isEmpty();
    }

    /** Parses the flag/config list: CIDRs, or the single value "primary". Blank entries are ignored. */
    public static NodePortAddresses parse(List<String> values) {
        List<Cidr> cidrs = new ArrayList<>();
        boolean primary = false;
        for (String raw : values) {
            String v = raw == null ? "" : raw.trim();
            if (v.isEmpty()) {
                continue;
            }
            if (v.equals(PRIMARY)) {
                primary = true;
            } else {
                cidrs.add(Cidr.parse(v));
            }
        }
        return new NodePortAddresses(primary, cidrs);
    }
}
