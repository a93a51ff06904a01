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
 *
 * <p>Almost every key has one contributor: it is held as itself, and only a key two service ports
 * add gets a map of them (at 10,000 services a map per key was 120,000 maps, ~8 MB).
 */
final class SharedElementOwners {
    /** A key's only contributor. */
    private record One(ServicePortName name, NftElement element) {
    }

    /** set -> key -> a {@link One}, or a TreeMap of the contributors in name order. */
    private final Map<String, Map<Bytes, Object>> owners = new HashMap<>();

    static SharedElementOwners of(Map<ServicePortName, ServicePortObjects> services) {
        SharedElementOwners o = new SharedElementOwners();
        services.forEach((name, objs) -> o.add(name, objs));
        return o;
    }

    void add(ServicePortName name, ServicePortObjects objs) {
        objs.elements().forEach((set, els) -> {
            Map<Bytes, Object> keys = owners.computeIfAbsent(set, k -> new HashMap<>());
            for (NftElement e : els) {
                keys.merge(e.key(), new One(name, e), (was, added) -> with(was, (One) added));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Object with(Object was, One added) {
        if (was instanceof One one) {
            if (one.name().equals(added.name())) {
                return added;
            }
            TreeMap<ServicePortName, NftElement> many = new TreeMap<>();
            many.put(one.name(), one.element());
            many.put(added.name(), added.element());
            return many;
        }
        ((TreeMap<ServicePortName, NftElement>) was).put(added.name(), added.element());
        return was;
    }

    @SuppressWarnings("unchecked")
    void remove(ServicePortName name, ServicePortObjects objs) {
        objs.elements().forEach((set, els) -> {
            Map<Bytes, Object> keys = owners.get(set);
            if (keys == null) {
                return;
            }
            for (NftElement e : els) {
                Object who = keys.get(e.key());
                if (who instanceof One one) {
                    if (one.name().equals(name)) {
                        keys.remove(e.key());
                    }
                } else if (who instanceof TreeMap<?, ?> map) {
                    TreeMap<ServicePortName, NftElement> many = (TreeMap<ServicePortName, NftElement>) map;
                    many.remove(name);
                    if (many.size() == 1) {
                        Map.Entry<ServicePortName, NftElement> last = many.firstEntry();
                        keys.put(e.key(), new One(last.getKey(), last.getValue()));
                    } else if (many.isEmpty()) {
                        keys.remove(e.key());
                    }
                }
            }
        });
    }

    /** The element the table holds for {@code key} of {@code set}: the first contributor's, or null. */
    @SuppressWarnings("unchecked")
    NftElement winner(String set, Bytes key) {
        Map<Bytes, Object> keys = owners.get(set);
        Object who = keys == null ? null : keys.get(key);
        if (who instanceof One one) {
            return one.element();
        }
        TreeMap<ServicePortName, NftElement> many = (TreeMap<ServicePortName, NftElement>) who;
        return many == null || many.isEmpty() ? null : many.firstEntry().getValue();
    }
}
