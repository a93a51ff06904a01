package io.svcproxy.netlink.route;

import java.net.InetAddress;
import java.util.Set;

/**
 * The dummy interface kube-ipvs0 that holds every IPVS virtual address (/32, /128), so the node
 * accepts packets for them, exactly as kube-proxy's IPVS mode does. Created on first use.
 */
public interface KubeIpvsInterface extends AutoCloseable {
    String NAME = "kube-ipvs0";

    /** The addresses on the interface (one address dump), link-local ones left out. */
    Set<InetAddress> bound();

    /** Adds address/32 or /128; already bound is fine. */
    void bind(InetAddress address);

    /** Removes the address; not bound is fine. */
    void unbind(InetAddress address);

    /** Deletes the interface (cleanup only); missing is fine. */
    void delete();

    @Override
    void close();
}
