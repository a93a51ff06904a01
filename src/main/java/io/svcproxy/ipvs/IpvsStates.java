package io.svcproxy.ipvs;

import io.svcproxy.model.Addresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The IPVS state after applying operations to a known state, without asking the kernel: what a
 * partial sync remembers (like the iptables side remembers its ruleset). Connection counts of
 * destinations are kept from the known state. Also a known state with some services' destinations
 * freshly read patched in. Pure.
 */
public final class IpvsStates {
    private IpvsStates() {
    }

    public static IpvsState apply(IpvsState state, List<IpvsOp> ops) {
        TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>(state.services());
        Map<VirtualServer.Key, List<RealServer>> dests = new HashMap<>();
        state.destinations().forEach((k, v) -> dests.put(k, new ArrayList<>(v)));
        Set<InetAddress> bound = new LinkedHashSet<>(state.boundAddresses());
        for (IpvsOp op : ops) {
            if (op instanceof IpvsOp.AddService o) {
                services.put(o.service().key(), o.service());
                dests.putIfAbsent(o.service().key(), new ArrayList<>());
            } else if (op instanceof IpvsOp.UpdateService o) {
                services.put(o.service().key(), o.service());
            } else if (op instanceof IpvsOp.DeleteService o) {
                services.remove(o.service());
                dests.remove(o.service());
            } else if (op instanceof IpvsOp.AddDestination o) {
                List<RealServer> list = dests.computeIfAbsent(o.service(), k -> new ArrayList<>());
                list.removeIf(rs -> rs.key().equals(o.destination().key()));
                list.add(o.destination());
            } else if (op instanceof IpvsOp.UpdateDestination o) {
                List<RealServer> list = dests.computeIfAbsent(o.service(), k -> new ArrayList<>());
                for (int i = 0; i < list.size(); i++) {
                    RealServer cur = list.get(i);
                    if (cur.key().equals(o.destination().key())) {
                        list.set(i, new RealServer(cur.address(), cur.port(), o.destination().weight(),
                                cur.activeConnections(), cur.inactiveConnections()));
                    }
                }
            } else if (op instanceof IpvsOp.DeleteDestination o) {
                List<RealServer> list = dests.get(o.service());
                if (list != null) {
                    list.removeIf(rs -> rs.key().equals(o.destination().key()));
                }
            } else if (op instanceof IpvsOp.BindAddress o) {
                String text = Addresses.format(o.address());
                if (bound.stream().noneMatch(a -> Addresses.format(a).equals(text))) {
                    bound.add(o.address());
                }
            } else if (op instanceof IpvsOp.UnbindAddress o) {
                String text = Addresses.format(o.address());
                bound.removeIf(a -> Addresses.format(a).equals(text));
            }
        }
        Map<VirtualServer.Key, List<RealServer>> frozen = new HashMap<>();
        dests.forEach((k, v) -> {
            if (services.containsKey(k)) {
                frozen.put(k, List.copyOf(v));
            }
        });
        return new IpvsState(services, frozen, bound);
    }

    /**
     * {@code state} with the destinations of its services in {@code read} replaced by those read from
     * the kernel (a partial read); other services, and services {@code state} does not have, are left as they are.
     */
    public static IpvsState withDestinations(IpvsState state, Map<VirtualServer.Key, List<RealServer>> read) {
        Map<VirtualServer.Key, List<RealServer>> dests = new HashMap<>(state.destinations());
        read.forEach((key, fresh) -> {
            if (state.services().containsKey(key)) {
                dests.put(key, List.copyOf(fresh));
            }
        });
        return new IpvsState(state.services(), dests, state.boundAddresses());
    }
}
