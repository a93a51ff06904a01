package io.svcproxy.netlink.route;

import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkSocket;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link KubeIpvsInterface} over rtnetlink (NETLINK_ROUTE), in the network namespace of the thread
 * that opened it. The interface is created (RTM_NEWLINK, kind dummy, NLM_F_EXCL: an existing one is
 * kept) and its index looked up once; if someone deletes it, the next failing address change
 * (ENODEV) creates it again and retries once. Not thread-safe.
 */
public final class NetlinkKubeIpvsInterface implements KubeIpvsInterface {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final NetlinkSocket socket;
    private final String name;
    private int index;   // 0 = not known yet

    private NetlinkKubeIpvsInterface(NetlinkSocket socket, String name) {
        this.socket = socket;
        this.name = name;
    }

    public static NetlinkKubeIpvsInterface open() {
        return open(NAME);
    }

    /** With another interface name (tests). */
    public static NetlinkKubeIpvsInterface open(String name) {
        return new NetlinkKubeIpvsInterface(Netlink.open(NetlinkConstants.NETLINK_ROUTE), name);
    }

    /** Creates the dummy interface if it does not exist and returns its index. */
    public int ensure() {
        if (index == 0) {
            try {
                socket.acknowledged(RouteMessages.newDummyLink(name, ORDER), "create dummy interface " + name);
            } catch (NetlinkException e) {
                if (e.errno() != NetlinkConstants.EEXIST) {
                    throw e;
                }
            }
            RouteMessages.Link link = link();
            if (!link.kind().equals("dummy")) {
                throw new NetlinkException("interface " + name + " exists but is of kind '" + link.kind()
                        + "', not dummy", NetlinkConstants.EEXIST);
            }
            index = link.index();
        }
        return index;
    }

    /** Whether the interface exists now (one link request; creates nothing). */
    public boolean exists() {
        try {
            link();
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == NetlinkConstants.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    private RouteMessages.Link link() {
        List<NetlinkMessage> replies = socket.request(RouteMessages.getLink(name, ORDER), "get interface " + name);
        if (replies.isEmpty()) {
            throw new NetlinkException("get interface " + name + ": no reply", NetlinkConstants.ENODEV);
        }
        return RouteMessages.parseLink(replies.get(0));
    }

    @Override
    public Set<InetAddress> bound() {
        int ifindex = ensure();
        Set<InetAddress> out = new LinkedHashSet<>();
        for (NetlinkMessage m : socket.dump(RouteMessages.getAddresses(ORDER), "dump addresses")) {
            RouteMessages.parseAddress(m)
                    .filter(a -> a.index() == ifindex && !a.address().isLinkLocalAddress())
                    .ifPresent(a -> out.add(a.address()));
        }
        return out;
    }

    @Override
    public void bind(InetAddress address) {
        change(address, true);
    }

    @Override
    public void unbind(InetAddress address) {
        change(address, false);
    }

    private void change(InetAddress address, boolean add) {
        for (int attempt = 1; ; attempt++) {
            int ifindex = ensure();
            String what = (add ? "bind " : "unbind ") + address.getHostAddress() + " on " + name;
            try {
                socket.acknowledged(add ? RouteMessages.newAddress(ifindex, address, ORDER)
                        : RouteMessages.delAddress(ifindex, address, ORDER), what);
                return;
            } catch (NetlinkException e) {
                if (add && e.errno() == NetlinkConstants.EEXIST) {
                    return;
                }
                if (!add && e.errno() == NetlinkConstants.EADDRNOTAVAIL) {
                    return;
                }
                if (e.errno() == NetlinkConstants.ENODEV && attempt == 1) {
                    index = 0;   // the interface was deleted behind our back: create it again
                    continue;
                }
                throw e;
            }
        }
    }

    @Override
    public void delete() {
        try {
            RouteMessages.Link link = link();
            socket.acknowledged(RouteMessages.delLink(link.index(), ORDER), "delete interface " + name);
        } catch (NetlinkException e) {
            if (e.errno() != NetlinkConstants.ENODEV) {
                throw e;
            }
        }
        index = 0;
    }

    @Override
    public void close() {
        socket.close();
    }
}
