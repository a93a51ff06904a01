package io.svcproxy.testing;

import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.netlink.NetworkNamespaces;

import java.util.function.Supplier;

/** Netlink sockets opened inside a test namespace (setns on a helper thread); they stay there once open. */
public final class NetnsSockets {
    private NetnsSockets() {
    }

    public static String nsFile(NetNs ns) {
        return "/run/netns/" + ns.name();
    }

    public static Supplier<NetlinkSocket> netfilter(NetNs ns) {
        return () -> NetworkNamespaces.callIn(nsFile(ns), () -> Netlink.open(NetlinkConstants.NETLINK_NETFILTER));
    }
}
