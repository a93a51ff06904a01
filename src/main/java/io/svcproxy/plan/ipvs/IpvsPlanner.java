package io.svcproxy.plan.ipvs;

import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipset.KubeIpsets;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ServicePortIntent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Snapshot -> IPVS mode's desired state for one family, following kube-proxy's IPVS proxier
 * (syncProxyRules): one virtual server per cluster IP, external IP, load-balancer IP and per node
 * address for a NodePort; the ipsets the iptables glue matches on; the addresses bound to kube-ipvs0.
 * What each service port does is decided once, mode-neutrally, in {@link ServicePortIntent} (as for
 * the iptables and nftables planners); this only translates it. Pure and deterministic.
 */
public final class IpvsPlanner {
    private IpvsPlanner() {
    }

    public static IpvsPlan plan(ClusterSnapshot snapshot, IpvsOptions opts) {
        return new Run(opts).plan(snapshot);
    }

    /** Node addresses NodePort virtual servers are created on: node IPs inside --nodeport-addresses, no loopback. */
    public static List<InetAddress> nodePortAddresses(PlannerOptions base) {
        TreeSet<String> seen = new TreeSet<>();
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress ip : base.nodePortIPs()) {
            if (IpFamily.of(ip) != base.family() || ip.isLoopbackAddress()) {
                continue;
            }
            if (!base.nodePortsMatchAll() && base.nodePortAddresses().stream().noneMatch(c -> c.contains(ip))) {
                continue;
            }
            if (seen.add(Addresses.format(ip))) {
                out.add(ip);
            }
        }
        out.sort(java.util.Comparator.comparing(Addresses::format));
        return out;
    }

    private static final class Run {
        private final IpvsOptions opts;
        private final PlannerOptions base;
        private final IpFamily family;
        private final TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
        private final Map<VirtualServer.Key, List<RealServer>> destinations = new HashMap<>();
        private final Set<InetAddress> bound = new LinkedHashSet<>();
        private final Map<KubeIpsets, TreeSet<String>> members = new EnumMap<>(KubeIpsets.class);
        private final List<IpvsGlueRules.NoNodeAccess> noNodeAccess = new ArrayList<>();
        private final Set<String> nodeAddressText = new HashSet<>();
        private final List<InetAddress> nodeIPs;

        Run(IpvsOptions opts) {
            this.opts = opts;
            this.base = opts.base();
            this.family = base.family();
            for (KubeIpsets s : KubeIpsets.values()) {
                members.put(s, new TreeSet<>());
            }
            for (InetAddress ip : base.nodePortIPs()) {
                nodeAddressText.add(Addresses.format(ip));
            }
            this.nodeIPs = nodePortAddresses(base);
        }

        IpvsPlan plan(ClusterSnapshot snapshot) {
            for (ServicePort svc : snapshot.services().values()) {
                service(svc, snapshot.endpointsOf(svc.name()));
            }
            for (InetAddress ip : bound) {
                members.get(KubeIpsets.IPVS_IPS).add(Addresses.format(ip));
            }
            List<Ipset> sets = new ArrayList<>();
            for (KubeIpsets s : KubeIpsets.values()) {
                sets.add(new Ipset(s.setName(family), s.type(), family, s.comment(), members.get(s)));
            }
            IpsetState ipsets = IpsetState.of(sets);
            Map<VirtualServer.Key, List<RealServer>> dests = new HashMap<>();
            destinations.forEach((k, v) -> dests.put(k, List.copyOf(v)));
            IpvsState state = new IpvsState(services, dests, bound);
            return new IpvsPlan(state, ipsets, IpvsGlueRules.render(opts, ipsets, noNodeAccess), List.of());
        }

        /** Translates one service port's {@link ServicePortIntent} into ipset members and virtual servers. */
        private void service(ServicePort svc, List<Endpoint> allEndpoints) {
            ServicePortIntent in = ServicePortIntent.of(svc, allEndpoints, base);
            if (in == null) {
                return;
            }
            Protocol proto = svc.protocol();
            String p = proto.lower();
            int port = svc.port();

            for (Endpoint ep : in.nodeEndpoints()) {
                String ip = Addresses.format(ep.ip());
                add(KubeIpsets.LOOP_BACK, ip + "," + p + ":" + ep.port() + "," + ip);
            }

            add(KubeIpsets.CLUSTER_IP, ipPort(in.clusterIP(), p, port));
            virtualServer(in, in.clusterIP(), port, in.internalDestinations(), true);

            for (InetAddress ext : in.externalIPs()) {
                add(in.externalPolicyLocal() ? KubeIpsets.EXTERNAL_IP_LOCAL : KubeIpsets.EXTERNAL_IP,
                        ipPort(ext, p, port));
                virtualServer(in, ext, port, in.externalDestinations(), !isNodeAddress(ext));
            }

            for (InetAddress lb : in.loadBalancerIPs()) {
                String entry = ipPort(lb, p, port);
                add(KubeIpsets.LOAD_BALANCER, entry);
                if (in.externalPolicyLocal()) {
                    add(KubeIpsets.LOAD_BALANCER_LOCAL, entry);
                }
                if (in.sourceRangesApply()) {
                    add(KubeIpsets.LOAD_BALANCER_FW, entry);
                    for (Cidr cidr : in.sourceRanges()) {
                        add(KubeIpsets.LOAD_BALANCER_SOURCE_CIDR, entry + "," + cidr);
                    }
                    if (in.allowFromNode()) {
                        add(KubeIpsets.LOAD_BALANCER_SOURCE_IP, entry + "," + Addresses.format(lb));
                    } else {
                        noNodeAccess.add(new IpvsGlueRules.NoNodeAccess(lb, proto, port));
                    }
                }
                virtualServer(in, lb, port, in.externalDestinations(), !isNodeAddress(lb));
            }

            if (in.nodePort() != 0) {
                if (nodeIPs.isEmpty()) {
                    return; // kube-proxy skips the NodePort (and health-check port) without node addresses
                }
                List<String> entries = new ArrayList<>();
                KubeIpsets set;
                KubeIpsets localSet;
                switch (proto) {
                    case TCP:
                        set = KubeIpsets.NODE_PORT_TCP;
                        localSet = KubeIpsets.NODE_PORT_LOCAL_TCP;
                        entries.add(Integer.toString(in.nodePort()));
                        break;
                    case UDP:
                        set = KubeIpsets.NODE_PORT_UDP;
                        localSet = KubeIpsets.NODE_PORT_LOCAL_UDP;
                        entries.add(Integer.toString(in.nodePort()));
                        break;
                    default:
                        set = KubeIpsets.NODE_PORT_SCTP;
                        localSet = KubeIpsets.NODE_PORT_LOCAL_SCTP;
                        for (InetAddress ip : nodeIPs) {
                            entries.add(ipPort(ip, p, in.nodePort()));
                        }
                }
                entries.forEach(e -> add(set, e));
                if (in.externalPolicyLocal()) {
                    entries.forEach(e -> add(localSet, e));
                }
                for (InetAddress ip : nodeIPs) {
                    virtualServer(in, ip, in.nodePort(), in.externalDestinations(), false);
                }
            }
            if (in.healthCheckNodePort() != 0) {
                add(KubeIpsets.HEALTH_CHECK_NODE_PORT, Integer.toString(in.healthCheckNodePort()));
            }
        }

        /** kube-proxy's syncService + syncEndpoint for one virtual server. */
        private void virtualServer(ServicePortIntent in, InetAddress address, int port, List<Endpoint> use,
                                   boolean bind) {
            int flags = opts.serviceFlags();
            int timeout = 0;
            if (in.sessionAffinity()) {
                flags |= IpvsOptions.FLAG_PERSISTENT;
                timeout = in.affinityTimeoutSeconds();
            }
            VirtualServer vs = new VirtualServer(address, in.service().protocol(), port, opts.scheduler(), flags,
                    timeout, opts.netmask());
            if (services.putIfAbsent(vs.key(), vs) != null) {
                return; // two services on one address:port (e.g. an external IP that is also an LB IP): first wins
            }
            if (bind) {
                bound.add(address);
            }
            TreeMap<String, RealServer> dests = new TreeMap<>();
            for (Endpoint ep : use) {
                RealServer rs = RealServer.of(ep.ip(), ep.port());
                dests.put(rs.key(), rs);
            }
            destinations.put(vs.key(), new ArrayList<>(dests.values()));
        }

        private boolean isNodeAddress(InetAddress ip) {
            return nodeAddressText.contains(Addresses.format(ip));
        }

        private void add(KubeIpsets set, String member) {
            members.get(set).add(member);
        }

        private static String ipPort(InetAddress ip, String proto, int port) {
            return Addresses.format(ip) + "," + proto + ":" + port;
        }
    }
}
