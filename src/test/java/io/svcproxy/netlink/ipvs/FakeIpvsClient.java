package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.netlink.NetlinkConstants;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory IPVS table with the kernel's semantics, as checked against the real kernel by
 * IpvsVmSelfTest: adding what exists is EEXIST; any command naming a missing service is ESRCH,
 * except the destination dump, which is empty;
 * changing or deleting a missing destination, or an unknown scheduler, is ENOENT. Counts every
 * command (per kind too) so planner and loop tests can assert on the minimal number of messages.
 * {@link #failNext} injects a kernel refusal.
 */
public final class FakeIpvsClient implements IpvsClient {
    /** The schedulers of a stock kernel (net/netfilter/ipvs/ip_vs_*.c). */
    public static final Set<String> SCHEDULERS =
            Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    private final TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
    private final Map<VirtualServer.Key, LinkedHashMap<String, RealServer>> dests = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private final List<VirtualServer.Key> destinationDumps = new ArrayList<>();
    private IpvsTimeouts timeouts = new IpvsTimeouts(900, 120, 300);
    private long sent;
    private int failErrno;
    private String failCommand;

    /** The next command named {@code command} (e.g. "addService") fails with {@code errno}, once. */
    public FakeIpvsClient failNext(String command, int errno) {
        this.failCommand = command;
        this.failErrno = errno;
        return this;
    }

    /** Commands sent, by name (services, destinations, addService, ...). */
    public Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }

    public int count(String command) {
        return counts.getOrDefault(command, 0);
    }

    /** The services whose destinations were dumped since the last reset, in order. */
    public List<VirtualServer.Key> destinationDumps() {
        return List.copyOf(destinationDumps);
    }

    public void resetCounts() {
        counts.clear();
        destinationDumps.clear();
        sent = 0;
    }

    private void command(String name, String what) {
        sent++;
        counts.merge(name, 1, Integer::sum);
        if (name.equals(failCommand)) {
            failCommand = null;
            throw IpvsException.of(what, failErrno);
        }
    }

    @Override
    public List<VirtualServer> services() {
        command("services", "IPVS dump services");
        return List.copyOf(services.values());
    }

    @Override
    public List<RealServer> destinations(VirtualServer.Key service) {
        command("destinations", "IPVS dump destinations of " + service);
        destinationDumps.add(service);
        LinkedHashMap<String, RealServer> d = dests.get(service);
        return d == null ? List.of() : List.copyOf(d.values());   // the kernel: an empty dump, no ESRCH
    }

    @Override
    public void addService(VirtualServer service) {
        String what = "IPVS add service " + service.key();
        command("addService", what);
        if (services.containsKey(service.key())) {
            throw IpvsException.of(what, NetlinkConstants.EEXIST);
        }
        checkScheduler(service, what);
        services.put(service.key(), stripHashed(service));
        dests.put(service.key(), new LinkedHashMap<>());
    }

    @Override
    public void updateService(VirtualServer service) {
        String what = "IPVS update service " + service.key();
        command("updateService", what);
        if (!services.containsKey(service.key())) {
            throw IpvsException.of(what, NetlinkConstants.ESRCH);
        }
        checkScheduler(service, what);
        services.put(service.key(), stripHashed(service));
    }

    @Override
    public void deleteService(VirtualServer.Key service) {
        String what = "IPVS delete service " + service;
        command("deleteService", what);
        if (services.remove(service) == null) {
            throw IpvsException.of(what, NetlinkConstants.ESRCH);
        }
        dests.remove(service);
    }

    @Override
    public void addDestination(VirtualServer.Key service, RealServer destination) {
        String what = "IPVS add destination " + destination.key() + " to " + service;
        command("addDestination", what);
        Map<String, RealServer> d = destsOf(service, what);
        if (d.containsKey(destination.key())) {
            throw IpvsException.of(what, NetlinkConstants.EEXIST);
        }
        d.put(destination.key(), asStored(destination));
    }

    @Override
    public void updateDestination(VirtualServer.Key service, RealServer destination) {
        String what = "IPVS update destination " + destination.key() + " of " + service;
        command("updateDestination", what);
        Map<String, RealServer> d = destsOf(service, what);
        RealServer old = d.get(destination.key());
        if (old == null) {
            throw IpvsException.of(what, NetlinkConstants.ENOENT);
        }
        d.put(destination.key(), new RealServer(old.address(), old.port(), destination.weight(),
                old.activeConnections(), old.inactiveConnections()));
    }

    @Override
    public void deleteDestination(VirtualServer.Key service, RealServer destination) {
        String what = "IPVS delete destination " + destination.key() + " of " + service;
        command("deleteDestination", what);
        if (destsOf(service, what).remove(destination.key()) == null) {
            throw IpvsException.of(what, NetlinkConstants.ENOENT);
        }
    }

    /** Test hook: the kernel's connection counters of a destination (what drain decisions read). */
    public void setConnections(VirtualServer.Key service, RealServer destination, int active, int inactive) {
        Map<String, RealServer> d = dests.get(service);
        RealServer old = d == null ? null : d.get(destination.key());
        if (old == null) {
            throw new IllegalArgumentException("no destination " + destination.key() + " in " + service);
        }
        d.put(old.key(), new RealServer(old.address(), old.port(), old.weight(), active, inactive));
    }

    @Override
    public IpvsTimeouts timeouts() {
        command("timeouts", "IPVS get timeouts");
        return timeouts;
    }

    @Override
    public void setTimeouts(IpvsTimeouts t) {
        command("setTimeouts", "IPVS set timeouts");
        timeouts = new IpvsTimeouts(t.tcpSeconds() == 0 ? timeouts.tcpSeconds() : t.tcpSeconds(),
                t.tcpFinSeconds() == 0 ? timeouts.tcpFinSeconds() : t.tcpFinSeconds(),
                t.udpSeconds() == 0 ? timeouts.udpSeconds() : t.udpSeconds());
    }

    @Override
    public void flush() {
        command("flush", "IPVS flush");
        services.clear();
        dests.clear();
    }

    @Override
    public long messagesSent() {
        return sent;
    }

    @Override
    public void close() {
    }

    private Map<String, RealServer> destsOf(VirtualServer.Key service, String what) {
        LinkedHashMap<String, RealServer> d = dests.get(service);
        if (d == null) {
            throw IpvsException.of(what, NetlinkConstants.ESRCH);
        }
        return d;
    }

    private static void checkScheduler(VirtualServer s, String what) {
        if (!SCHEDULERS.contains(s.scheduler())) {
            throw IpvsException.of(what + ": unknown scheduler " + s.scheduler(), NetlinkConstants.ENOENT);
        }
    }

    private static VirtualServer stripHashed(VirtualServer s) {
        return new VirtualServer(s.address(), s.protocol(), s.port(), s.scheduler(),
                s.flags() & ~IpvsConstants.IP_VS_SVC_F_HASHED, s.timeoutSeconds(), s.netmask());
    }

    /** A new destination starts without connections, whatever the caller's record says. */
    private static RealServer asStored(RealServer d) {
        return new RealServer(d.address(), d.port(), d.weight(), 0, 0);
    }

    @Override
    public String toString() {
        List<String> out = new ArrayList<>();
        services.forEach((k, s) -> out.add(k + " " + s.scheduler() + " " + dests.get(k).keySet()));
        return "FakeIpvsClient" + out;
    }
}
