package io.svcproxy.plan;

import io.svcproxy.model.ServicePortName;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules one service port contributes: lines for the shared chains (KUBE-SERVICES, ...) in both
 * tables, and the nat chains it owns (KUBE-SVC-, KUBE-SEP-, ...), each complete. Kept per service so
 * a write can be batched by whole services and an unchanged service need not be rendered again.
 *
 * @param filterShared   shared filter chain name -> rules, in order
 * @param natShared      shared nat chain name -> rules, in order
 * @param natChains      owned nat chains in declaration order -> rules
 * @param noLocalInternal internal traffic has no local endpoint (ITP Local) — kube-proxy metric
 * @param noLocalExternal external traffic has no local endpoint (ETP Local) — kube-proxy metric
 */
public record ServiceRules(ServicePortName name,
                           Map<String, List<String>> filterShared,
                           Map<String, List<String>> natShared,
                           Map<String, List<String>> natChains,
                           int endpointChains,
                           boolean noLocalInternal,
                           boolean noLocalExternal) {

    public ServiceRules {
        filterShared = freeze(filterShared);
        natShared = freeze(natShared);
        natChains = freeze(natChains);
    }

    private static Map<String, List<String>> freeze(Map<String, List<String>> in) {
        LinkedHashMap<String, List<String>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }
}
