package io.svcproxy.plan.nftables;

import io.svcproxy.model.ServicePortName;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftElement;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who contributes each key of the shared sets and maps, so a re-plan that removes one service
 * port's element knows whether another still adds the same key (one pod port behind two services
 * in hairpin-connections), and which element the table holds for it: the first contributor's in
 * service name order, as the full assembly does. Mutable; owned by one incremental planner.
 */
final class SharedElementOwners {
    /** set -> key -> contributors in name order (a one-entry map in the common case). */
    private final Map<String, Map<Bytes, TreeMap<ServicePortName, NftElement>>> owners = new HashMap<>();

    static SharedElementOwners of(Map<ServicePortName, ServicePortObjects> services) {
        SharedElementOwners o = new SharedElementOwners();
        services.forEach((name, objs) -> o.add(name, objs));
        return o;
    }

    void add(ServicePortName name, ServicePortObjects objs) {
        objs.elements().forEach((set, els) -> {
            Map<Bytes, TreeMap<ServicePortName, NftElement>> keys = owners.computeIfAbsent(set, k -> new HashMap<>());
            for (NftElement e : els) {
                keys.computeIfAbsent(e.key(), k -> new TreeMap<>()).put(name, e);
            }
        });
    }

    void remove(ServicePortName name, ServicePortObjects objs) {
        objs.elements().forEach((set, els) -> {
            Map<Bytes, TreeMap<ServicePortName, NftElement>> keys = owners.get(set);
            for (NftElement e : els) {
                TreeMap<ServicePortName, NftElement> who = keys == null ? null : keys.get(e.key());
                if (who != null) {
                    who.remove(name);
                    if (who.isEmpty()) {
                        keys.remove(e.key());
                    }
                }
            }
        });
    }

    /** The element the table holds for {@code key} of {@code set}: the first contributor's, or null. */
    NftElement winner(String set, Bytes key) {
        Map<Bytes, TreeMap<ServicePortName, NftElement>> keys = owners.get(set);
        TreeMap<ServicePortName, NftElement> who = keys == null ? null : keys.get(key);
        return who == null || who.isEmpty() ? null : who.firstEntry().getValue();
    }
}
