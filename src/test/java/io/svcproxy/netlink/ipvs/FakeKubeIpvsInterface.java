package io.svcproxy.netlink.ipvs;

import io.svcproxy.netlink.route.KubeIpvsInterface;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Set;

/** kube-ipvs0 in memory: bind/unbind are idempotent like the netlink one; counts address changes. */
public final class FakeKubeIpvsInterface implements KubeIpvsInterface {
    private final Set<InetAddress> addresses = new LinkedHashSet<>();
    private int reads;
    private int changes;
    private boolean exists;

    @Override
    public Set<InetAddress> bound() {
        exists = true;
        reads++;
        return Set.copyOf(addresses);
    }

    @Override
    public void bind(InetAddress address) {
        exists = true;
        changes++;
        addresses.add(address);
    }

    @Override
    public void unbind(InetAddress address) {
        exists = true;
        changes++;
        addresses.remove(address);
    }

    @Override
    public void delete() {
        exists = false;
        addresses.clear();
    }

    public boolean exists() {
        return exists;
    }

    public int reads() {
        return reads;
    }

    public int changes() {
        return changes;
    }

    @Override
    public void close() {
    }
}
