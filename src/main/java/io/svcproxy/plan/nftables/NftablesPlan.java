package io.svcproxy.plan.nftables;

import io.svcproxy.nftables.NftTable;

import java.util.List;

/** The desired nf_tables state: one table per configured IP family ("ip kube-proxy", "ip6 kube-proxy"). */
public record NftablesPlan(List<NftablesFamilyPlan> families) {
    public NftablesPlan {
        families = List.copyOf(families);
    }

    public List<NftTable> tables() {
        return families.stream().map(NftablesFamilyPlan::table).toList();
    }
}
