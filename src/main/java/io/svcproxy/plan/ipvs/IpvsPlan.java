package io.svcproxy.plan.ipvs;

import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.model.Warning;
import io.svcproxy.plan.IptablesPlan;

import java.util.List;
import java.util.Objects;

/**
 * IPVS mode's plan for one family: the IPVS services with their destinations and the addresses to
 * bind on kube-ipvs0, the ipsets, and the iptables glue (canonical iptables-save form).
 */
public record IpvsPlan(IpvsState ipvs, IpsetState ipsets, IptablesPlan glue, List<Warning> warnings) {
    public IpvsPlan {
        Objects.requireNonNull(ipvs, "ipvs");
        Objects.requireNonNull(ipsets, "ipsets");
        Objects.requireNonNull(glue, "glue");
        warnings = List.copyOf(warnings);
    }
}
