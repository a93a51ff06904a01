package io.svcproxy.diff.ipvs;

import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory IPVS table with the kernel's error semantics: adding what exists is EEXIST, touching
 * what is missing is ENOENT (ESRCH for a missing service, as ip_vs answers), binding a bound address
 * EEXIST, unbinding a missing one EADDRNOTAVAIL. Connection counters are kept on updates.
 */
final class IpvsSimulator {
    static final class KernelError extends RuntimeException {
        final String errno;

        KernelError(String errno, IpvsOp op) {
            super(errno + " on " + op);
            this.errno = errno;
        }
    }

    private final TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
    private final Map<VirtualServer.Key, LinkedHashMap<String, RealServer>> dests = new HashMap<>();
    private final Map<String, InetAddress> bound = new TreeMap<>();

    IpvsSimulator(IpvsState initial) {
        services.putAll(initial.services());
        for (VirtualServer.Key k : initial.services().keySet()) {
            LinkedHashMap<String, RealServer> m = new LinkedHashMap<>();
            initial.destinationsOf(k).forEach(rs -> m.put(rs.key(), rs));
            dests.put(k, m);
        }
        initial.boundAddresses().forEach(a -> bound.put(Addresses.format(a), a));
    }

    void applyAll(List<IpvsOp> ops) {
        ops.forEach(this::apply);
    }

    void apply(IpvsOp op) {
        if (op instanceof IpvsOp.AddService a) {
            if (services.containsKey(a.service().key())) {
                throw new KernelError("EEXIST", op);
            }
            services.put(a.service().key(), a.service());
            dests.put(a.service().key(), new LinkedHashMap<>());
        } else if (op instanceof IpvsOp.UpdateService u) {
            if (!services.containsKey(u.service().key())) {
                throw new KernelError("ESRCH", op);
            }
            services.put(u.service().key(), u.service());
        } else if (op instanceof IpvsOp.DeleteService d) {
            if (services.remove(d.service()) == null) {
                throw new KernelError("ESRCH", op);
            }
            dests.remove(d.service());
        } else if (op instanceof IpvsOp.AddDestination a) {
            LinkedHashMap<String, RealServer> m = service(a.service(), op);
            if (m.containsKey(a.destination().key())) {
                throw new KernelError("EEXIST", op);
            }
            m.put(a.destination().key(), a.destination());
        } else if (op instanceof IpvsOp.UpdateDestination u) {
            LinkedHashMap<String, RealServer> m = service(u.service(), op);
            RealServer cur = m.get(u.destination().key());
            if (cur == null) {
                throw new KernelError("ENOENT", op);
            }
            m.put(cur.key(), new RealServer(cur.address(), cur.port(), u.destination().weight(),
                    cur.activeConnections(), cur.inactiveConnections()));
        } else if (op instanceof IpvsOp.DeleteDestination d) {
            if (service(d.service(), op).remove(d.destination().key()) == null) {
                throw new KernelError("ENOENT", op);
            }
        } else if (op instanceof IpvsOp.BindAddress b) {
            if (bound.putIfAbsent(Addresses.format(b.address()), b.address()) != null) {
                throw new KernelError("EEXIST", op);
            }
        } else if (op instanceof IpvsOp.UnbindAddress u) {
            if (bound.remove(Addresses.format(u.address())) == null) {
                throw new KernelError("EADDRNOTAVAIL", op);
            }
        }
    }

    /** Sets a destination's connection counters, as traffic would. */
    void connections(VirtualServer.Key key, String rsKey, int active, int inactive) {
        RealServer cur = dests.get(key).get(rsKey);
        dests.get(key).put(rsKey, new RealServer(cur.address(), cur.port(), cur.weight(), active, inactive));
    }

    IpvsState state() {
        Map<VirtualServer.Key, List<RealServer>> d = new HashMap<>();
        dests.forEach((k, v) -> d.put(k, new ArrayList<>(v.values())));
        return new IpvsState(services, d, new java.util.HashSet<>(bound.values()));
    }

    private LinkedHashMap<String, RealServer> service(VirtualServer.Key key, IpvsOp op) {
        LinkedHashMap<String, RealServer> m = dests.get(key);
        if (m == null) {
            throw new KernelError("ESRCH", op);
        }
        return m;
    }
}
