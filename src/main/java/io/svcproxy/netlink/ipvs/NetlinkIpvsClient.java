package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.netlink.GenericNetlink;
import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkSocket;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link IpvsClient} over generic netlink: one NETLINK_GENERIC socket, opened in the network
 * namespace of the calling thread (use NetworkNamespaces.callIn to open it elsewhere), with the
 * "IPVS" family resolved once. Not thread-safe.
 */
public final class NetlinkIpvsClient implements IpvsClient {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final NetlinkSocket socket;
    private final GenericNetlink.Family family;
    private long sent;

    private NetlinkIpvsClient(NetlinkSocket socket, GenericNetlink.Family family) {
        this.socket = socket;
        this.family = family;
    }

    /**
     * Opens the socket and resolves the IPVS family. Without IPVS in the kernel (no ip_vs module)
     * this fails with a NetlinkException of errno ENOENT.
     */
    public static NetlinkIpvsClient open() {
        return open(Netlink.DEFAULT_TIMEOUT);
    }

    public static NetlinkIpvsClient open(Duration timeout) {
        NetlinkSocket socket = Netlink.open(NetlinkConstants.NETLINK_GENERIC, timeout);
        try {
            GenericNetlink.Family family = GenericNetlink.resolve(socket, IpvsConstants.IPVS_GENL_NAME);
            return new NetlinkIpvsClient(socket, family);
        } catch (NetlinkException e) {
            socket.close();
            if (e.errno() == NetlinkConstants.ENOENT) {
                throw new NetlinkException("generic netlink family IPVS not found: is the ip_vs kernel module loaded?",
                        NetlinkConstants.ENOENT);
            }
            throw e;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public GenericNetlink.Family family() {
        return family;
    }

    @Override
    public List<VirtualServer> services() {
        List<VirtualServer> out = new ArrayList<>();
        for (NetlinkMessage m : dump(IpvsMessages.getServices(family.id(), ORDER), "IPVS dump services")) {
            IpvsMessages.parseService(m).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public List<RealServer> destinations(VirtualServer.Key service) {
        List<RealServer> out = new ArrayList<>();
        int af = IpvsMessages.af(service.address());
        for (NetlinkMessage m : dump(IpvsMessages.getDests(family.id(), service, ORDER),
                "IPVS dump destinations of " + service)) {
            out.add(IpvsMessages.parseDest(m, af));
        }
        return out;
    }

    @Override
    public void addService(VirtualServer service) {
        ack(IpvsMessages.newService(family.id(), service, ORDER), "IPVS add service " + service.key());
    }

    @Override
    public void updateService(VirtualServer service) {
        ack(IpvsMessages.setService(family.id(), service, ORDER), "IPVS update service " + service.key());
    }

    @Override
    public void deleteService(VirtualServer.Key service) {
        ack(IpvsMessages.delService(family.id(), service, ORDER), "IPVS delete service " + service);
    }

    @Override
    public void addDestination(VirtualServer.Key service, RealServer destination) {
        ack(IpvsMessages.newDest(family.id(), service, destination, ORDER),
                "IPVS add destination " + destination.key() + " to " + service);
    }

    @Override
    public void updateDestination(VirtualServer.Key service, RealServer destination) {
        ack(IpvsMessages.setDest(family.id(), service, destination, ORDER),
                "IPVS update destination " + destination.key() + " of " + service);
    }

    @Override
    public void deleteDestination(VirtualServer.Key service, RealServer destination) {
        ack(IpvsMessages.delDest(family.id(), service, destination, ORDER),
                "IPVS delete destination " + destination.key() + " of " + service);
    }

    @Override
    public IpvsTimeouts timeouts() {
        sent++;
        try {
            List<NetlinkMessage> replies = socket.request(IpvsMessages.getConfig(family.id(), ORDER), "IPVS get timeouts");
            if (replies.isEmpty()) {
                throw new IpvsException("IPVS get timeouts: no reply", NetlinkConstants.EINVAL);
            }
            return IpvsMessages.parseConfig(replies.get(0));
        } catch (IpvsException e) {
            throw e;
        } catch (NetlinkException e) {
            throw typed(e, "IPVS get timeouts");
        }
    }

    @Override
    public void setTimeouts(IpvsTimeouts timeouts) {
        ack(IpvsMessages.setConfig(family.id(), timeouts, ORDER), "IPVS set timeouts " + timeouts);
    }

    @Override
    public void flush() {
        ack(IpvsMessages.flush(family.id(), ORDER), "IPVS flush");
    }

    @Override
    public long messagesSent() {
        return sent;
    }

    @Override
    public void close() {
        socket.close();
    }

    private void ack(NetlinkMessageBuilder request, String what) {
        sent++;
        try {
            socket.acknowledged(request, what);
        } catch (NetlinkException e) {
            throw typed(e, what);
        }
    }

    private List<NetlinkMessage> dump(NetlinkMessageBuilder request, String what) {
        sent++;
        try {
            return socket.dump(request, what);
        } catch (NetlinkException e) {
            throw typed(e, what);
        }
    }

    /** Kernel refusals become typed; socket-level failures (timeout, unavailable) stay as they are. */
    private static NetlinkException typed(NetlinkException e, String what) {
        if (e instanceof NetlinkException.Timeout || e instanceof NetlinkException.Unavailable
                || e instanceof IpvsException || e.errno() == 0) {
            return e;
        }
        IpvsException typed = IpvsException.of(what, e.errno());
        typed.initCause(e);
        return typed;
    }
}
