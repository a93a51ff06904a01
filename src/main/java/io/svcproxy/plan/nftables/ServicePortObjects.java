package io.svcproxy.plan.nftables;

import io.svcproxy.model.ServicePortName;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftSet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one service port contributes to its family's table: its own chains and affinity sets,
 * and its elements of the shared sets and maps (by set name). The unit a diff can group by service,
 * and the unit re-planned when only that service or its endpoints changed.
 */
public record ServicePortObjects(ServicePortName name, Map<String, NftChain> chains, Map<String, NftSet> sets,
                                 Map<String, List<NftElement>> elements) {
    public ServicePortObjects {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
        sets = Collections.unmodifiableMap(new LinkedHashMap<>(sets));
        Map<String, List<NftElement>> copy = new LinkedHashMap<>();
        elements.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        elements = Collections.unmodifiableMap(copy);
    }

    public List<NftElement> elementsOf(String set) {
        return elements.getOrDefault(set, List.of());
    }
}
