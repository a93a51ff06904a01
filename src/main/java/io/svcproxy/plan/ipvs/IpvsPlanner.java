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
import io.svcproxy.plan.EndpointSelection;
import io.svcproxy.plan.EndpointSelector;
import io.svcproxy.plan.PlannerOptions;

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
 * address for a NodePort; destinations from the same endpoint selection as iptables mode; the
 * ipsets the iptables glue matches on; the addresses bound to kube-ipvs0. Pure and deterministic.
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

        private void service(ServicePort svc, List<Endpoint> allEndpoints) {
            InetAddress clusterIP = svc.clusterIP(family);
            if (clusterIP == null) {
                return;
            }
            Protocol proto = svc.protocol();
            String p = proto.lower();
            List<Endpoint> endpoints = allEndpoints.stream().filter(ep -> ep.family() == family).toList();
            EndpointSelection sel = EndpointSelector.select(svc, endpoints, family, base.hostname(), base.zone());

            for (Endpoint ep : endpoints) {
                if (ep.isLocal(base.hostname())) {
                    String ip = Addresses.format(ep.ip());
                    add(KubeIpsets.LOOP_BACK, ip + "," + p + ":" + ep.port() + "," + ip);
                }
            }

            add(KubeIpsets.CLUSTER_IP, ipPort(clusterIP, p, svc.port()));
            virtualServer(svc, clusterIP, svc.port(), svc.internalPolicyLocal(), sel, true);

            for (InetAddress ext : svc.externalIPs(family)) {
                add(svc.externalPolicyLocal() ? KubeIpsets.EXTERNAL_IP_LOCAL : KubeIpsets.EXTERNAL_IP,
                        ipPort(ext, p, svc.port()));
                virtualServer(svc, ext, svc.port(), svc.externalPolicyLocal(), sel, !isNodeAddress(ext));
            }

            for (InetAddress lb : svc.loadBalancerIPs(family)) {
                String entry = ipPort(lb, p, svc.port());
                add(KubeIpsets.LOAD_BALANCER, entry);
                if (svc.externalPolicyLocal()) {
                    add(KubeIpsets.LOAD_BALANCER_LOCAL, entry);
                }
                List<Cidr> ranges = svc.sourceRanges(family);
                if (!ranges.isEmpty()) {
                    add(KubeIpsets.LOAD_BALANCER_FW, entry);
                    boolean allowFromNode = false;
                    for (Cidr cidr : ranges) {
                        add(KubeIpsets.LOAD_BALANCER_SOURCE_CIDR, entry + "," + cidr);
                        if (base.nodeIP() != null && cidr.contains(base.nodeIP())) {
                            allowFromNode = true;
                        }
                    }
                    if (allowFromNode) {
                        add(KubeIpsets.LOAD_BALANCER_SOURCE_IP, entry + "," + Addresses.format(lb));
                    } else {
                        noNodeAccess.add(new IpvsGlueRules.NoNodeAccess(lb, proto, svc.port()));
                    }
                }
                virtualServer(svc, lb, svc.port(), svc.externalPolicyLocal(), sel, !isNodeAddress(lb));
            }

            if (svc.nodePort() != 0) {
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
                        entries.add(Integer.toString(svc.nodePort()));
                        break;
                    case UDP:
                        set = KubeIpsets.NODE_PORT_UDP;
                        localSet = KubeIpsets.NODE_PORT_LOCAL_UDP;
                        entries.add(Integer.toString(svc.nodePort()));
                        break;
                    default:
                        set = KubeIpsets.NODE_PORT_SCTP;
                        localSet = KubeIpsets.NODE_PORT_LOCAL_SCTP;
                        for (InetAddress ip : nodeIPs) {
                            entries.add(ipPort(ip, p, svc.nodePort()));
                        }
                }
                entries.forEach(e -> add(set, e));
                if (svc.externalPolicyLocal()) {
                    entries.forEach(e -> add(localSet, e));
                }
                for (InetAddress ip : nodeIPs) {
                    virtualServer(svc, ip, svc.nodePort(), svc.externalPolicyLocal(), sel, false);
                }
            }
            if (svc.healthCheckNodePort() != 0) {
                add(KubeIpsets.HEALTH_CHECK_NODE_PORT, Integer.toString(svc.healthCheckNodePort()));
            }
        }

        /** kube-proxy's syncService + syncEndpoint for one virtual server. */
        private void virtualServer(ServicePort svc, InetAddress address, int port, boolean onlyLocal,
                                   EndpointSelection sel, boolean bind) {
            int flags = opts.serviceFlags();
            int timeout = 0;
            if (svc.sessionAffinity()) {
                flags |= IpvsOptions.FLAG_PERSISTENT;
                timeout = svc.affinityTimeoutSeconds();
            }
            VirtualServer vs = new VirtualServer(address, svc.protocol(), port, opts.scheduler(), flags, timeout,
                    opts.netmask());
            if (services.putIfAbsent(vs.key(), vs) != null) {
                return; // two services on one address:port (e.g. an external IP that is also an LB IP): first wins
            }
            if (bind) {
                bound.add(address);
            }
            // kube-proxy: Local policy uses the local endpoints, or (no local one) the cluster endpoints,
            // so local pods can still reach the service (kubernetes PR 97081).
            List<Endpoint> use = onlyLocal && !sel.local().isEmpty() ? sel.local() : sel.cluster();
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
