package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.IpvsApplyException;
import io.svcproxy.ipvs.IpvsKernel;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.netlink.route.KubeIpvsInterface;
import io.svcproxy.netlink.route.NetlinkKubeIpvsInterface;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link IpvsKernel} on an {@link IpvsClient} and a {@link KubeIpvsInterface}: netlink in
 * production ({@link #open()}), in-memory fakes in tests. A read is one service dump, one
 * destination dump per service and one address dump; a read of some services' destinations is one
 * destination dump per service asked.
 */
public final class ClientIpvsKernel implements IpvsKernel {
    private static final Comparator<RealServer> DEST_ORDER =
            Comparator.comparing((RealServer d) -> d.address().getAddress().length)
                    .thenComparing(d -> d.address().getAddress(), java.util.Arrays::compareUnsigned)
                    .thenComparingInt(RealServer::port);

    private final IpvsClient client;
    private final KubeIpvsInterface iface;

    public ClientIpvsKernel(IpvsClient client, KubeIpvsInterface iface) {
        this.client = client;
        this.iface = iface;
    }

    /** Netlink sockets in the calling thread's network namespace; creates kube-ipvs0 on first use. */
    public static ClientIpvsKernel open() {
        NetlinkIpvsClient client = NetlinkIpvsClient.open();
        try {
            return new ClientIpvsKernel(client, NetlinkKubeIpvsInterface.open());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public IpvsClient client() {
        return client;
    }

    public KubeIpvsInterface kubeIpvsInterface() {
        return iface;
    }

    @Override
    public IpvsState read() {
        TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
        Map<VirtualServer.Key, List<RealServer>> destinations = new HashMap<>();
        for (VirtualServer s : client.services()) {
            services.put(s.key(), s);
            destinations.put(s.key(), sortedDestinations(s.key()));
        }
        return new IpvsState(services, destinations, iface.bound());
    }

    @Override
    public Map<VirtualServer.Key, List<RealServer>> readDestinations(Collection<VirtualServer.Key> services) {
        Map<VirtualServer.Key, List<RealServer>> out = new HashMap<>();
        for (VirtualServer.Key key : services) {
            out.put(key, sortedDestinations(key));
        }
        return out;
    }

    /** One destination dump, in address order; empty for a missing service (the kernel's dump says no more). */
    private List<RealServer> sortedDestinations(VirtualServer.Key service) {
        List<RealServer> dests = new ArrayList<>(client.destinations(service));
        dests.sort(DEST_ORDER);
        return List.copyOf(dests);
    }

    @Override
    public int apply(List<IpvsOp> ops) {
        int applied = 0;
        for (IpvsOp op : ops) {
            try {
                applyOne(op);
            } catch (RuntimeException e) {
                throw new IpvsApplyException(op, applied, e);
            }
            applied++;
        }
        return applied;
    }

    private void applyOne(IpvsOp op) {
        if (op instanceof IpvsOp.AddService o) {
            client.addService(o.service());
        } else if (op instanceof IpvsOp.UpdateService o) {
            client.updateService(o.service());
        } else if (op instanceof IpvsOp.DeleteService o) {
            client.deleteService(o.service());
        } else if (op instanceof IpvsOp.AddDestination o) {
            client.addDestination(o.service(), o.destination());
        } else if (op instanceof IpvsOp.UpdateDestination o) {
            client.updateDestination(o.service(), o.destination());
        } else if (op instanceof IpvsOp.DeleteDestination o) {
            client.deleteDestination(o.service(), o.destination());
        } else if (op instanceof IpvsOp.BindAddress o) {
            iface.bind(o.address());
        } else if (op instanceof IpvsOp.UnbindAddress o) {
            iface.unbind(o.address());
        } else {
            throw new IllegalArgumentException("unknown IPVS operation " + op);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            iface.close();
        }
    }
}
