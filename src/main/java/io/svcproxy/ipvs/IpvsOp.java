package io.svcproxy.ipvs;

import java.net.InetAddress;

/**
 * One change to the kernel's IPVS state, in the order the IPVS diff emits them (unbind stale VIPs,
 * delete stale destinations, delete stale services, add/update services, add/update destinations,
 * bind new VIPs). IPVS has no transactions: after any failure the next sync is a full one.
 */
public sealed interface IpvsOp {

    record AddService(VirtualServer service) implements IpvsOp {
    }

    record UpdateService(VirtualServer service) implements IpvsOp {
    }

    record DeleteService(VirtualServer.Key service) implements IpvsOp {
    }

    record AddDestination(VirtualServer.Key service, RealServer destination) implements IpvsOp {
    }

    /** Also how a destination is drained: weight 0, deleted later when its connections are gone. */
    record UpdateDestination(VirtualServer.Key service, RealServer destination) implements IpvsOp {
    }

    record DeleteDestination(VirtualServer.Key service, RealServer destination) implements IpvsOp {
    }

    /** Adds the address (/32 or /128) to kube-ipvs0 so the node accepts packets for it. */
    record BindAddress(InetAddress address) implements IpvsOp {
    }

    record UnbindAddress(InetAddress address) implements IpvsOp {
    }
}
