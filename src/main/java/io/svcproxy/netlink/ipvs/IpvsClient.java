package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;

import java.util.List;

/**
 * The kernel's IPVS table, one command per call, with the kernel's semantics: nothing is
 * idempotent (see {@link IpvsException} for the errno of each refusal). {@link NetlinkIpvsClient}
 * talks generic netlink; the test fake FakeIpvsClient keeps the same state in memory.
 */
public interface IpvsClient extends AutoCloseable {

    /**
     * Every address/protocol/port virtual service (one dump). Flags are read without
     * IP_VS_SVC_F_HASHED, which the kernel sets on every live service. Firewall-mark services are not ours and
     * are left out.
     */
    List<VirtualServer> services();

    /**
     * The destinations of one service (one dump). A service that does not exist dumps empty, no
     * ESRCH: the kernel's ip_vs_genl_dump_dests ends a dump it cannot serve without an error.
     */
    List<RealServer> destinations(VirtualServer.Key service);

    /** Creates a service; EEXIST when it exists. */
    void addService(VirtualServer service);

    /** Changes scheduler, flags, persistence timeout and netmask of a service; ESRCH when missing. */
    void updateService(VirtualServer service);

    /** Deletes a service and its destinations; ESRCH when missing. */
    void deleteService(VirtualServer.Key service);

    /** Adds a masquerading destination; ESRCH when the service is missing, EEXIST when it exists. */
    void addDestination(VirtualServer.Key service, RealServer destination);

    /** Changes a destination's weight; ESRCH (service) or ENOENT (destination) when missing. */
    void updateDestination(VirtualServer.Key service, RealServer destination);

    /** Deletes a destination; ESRCH (service) or ENOENT (destination) when missing. */
    void deleteDestination(VirtualServer.Key service, RealServer destination);

    IpvsTimeouts timeouts();

    /** Sets the connection timeouts; a 0 field is left unchanged. */
    void setTimeouts(IpvsTimeouts timeouts);

    /** Deletes every service of this network namespace: for cleanup only, never on the sync path. */
    void flush();

    /** Netlink requests (or fake commands) sent so far, for tests and the sync log. */
    long messagesSent();

    @Override
    void close();
}
