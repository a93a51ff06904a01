package io.svcproxy.plan.nftables;

import io.svcproxy.model.ServicePortName;
import io.svcproxy.nftables.NftTable;

import io.svcproxy.model.Warning;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The desired table of one family, with the per-service-port pieces it was assembled from (so a
 * diff can group changes by service, and a re-plan can reuse unchanged services' pieces), and the
 * service ports left out (with why).
 */
public record NftablesFamilyPlan(NftablesOptions options, NftTable table,
                                 SortedMap<ServicePortName, ServicePortObjects> services,
                                 SortedMap<ServicePortName, Warning> skipped) {
    public NftablesFamilyPlan {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        skipped = Collections.unmodifiableSortedMap(new TreeMap<>(skipped));
    }

    public List<Warning> warnings() {
        return List.copyOf(skipped.values());
    }

    /** The service port owning a chain or set (null for the fixed ones); a scan, for tools and tests. */
    public ServicePortName owner(String chainOrSet) {
        for (Map.Entry<ServicePortName, ServicePortObjects> e : services.entrySet()) {
            if (e.getValue().chains().containsKey(chainOrSet) || e.getValue().sets().containsKey(chainOrSet)) {
                return e.getKey();
            }
        }
        return null;
    }
}
