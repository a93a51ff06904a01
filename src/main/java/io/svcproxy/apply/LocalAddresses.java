package io.svcproxy.apply;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** This node's own addresses (every interface, up or not), for --nodeport-addresses matching. */
public final class LocalAddresses {
    private LocalAddresses() {
    }

    public static List<InetAddress> list() {
        return listExcept(null);
    }

    /** The addresses of every interface but {@code skipInterface} (IPVS mode: kube-ipvs0 holds VIPs, not node addresses). */
    public static List<InetAddress> listExcept(String skipInterface) {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.getName().equals(skipInterface)) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (!a.isLinkLocalAddress()) {
                        // Drop the scope id Java attaches to IPv6 addresses: rules use plain addresses.
                        out.add(InetAddress.getByAddress(a.getAddress()));
                    }
                }
            }
        } catch (SocketException | java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot list this node's addresses: " + e.getMessage(), e);
        }
        return out;
    }
}
