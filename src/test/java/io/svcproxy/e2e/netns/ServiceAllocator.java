package io.svcproxy.e2e.netns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an API server fills in on a Service and the mock server does not: cluster IPs per the IP family
 * policy (from 10.96.0.0/16 and fd00:10:96::/112), ipFamilies, NodePorts and the health check node port
 * (30000-32767) left empty, and the defaults of the traffic policies and session affinity. Allocation
 * is sequential and skips what the given Services already use.
 */
final class ServiceAllocator {
    private static final int NODE_PORT_MIN = 30000;
    private static final int NODE_PORT_MAX = 32767;
    private int nextIp = 10;
    private int nextNodePort = NODE_PORT_MIN;

    /**
     * The Service with every missing allocation and default filled in, or null when it needs none.
     * {@code existing}: every Service of the cluster (their IPs and ports are taken).
     */
    Service complete(Service service, List<Service> existing) {
        Service s = new io.fabric8.kubernetes.api.model.ServiceBuilder(service).build();
        ServiceSpec spec = s.getSpec();
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        spec.setType(type);
        if (type.equals("ExternalName")) {
            return s.equals(service) ? null : s;
        }
        if (spec.getSessionAffinity() == null) {
            spec.setSessionAffinity("None");
        }
        if (spec.getInternalTrafficPolicy() == null) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        boolean external = type.equals("NodePort") || type.equals("LoadBalancer");
        if (external && spec.getExternalTrafficPolicy() == null) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        Set<String> usedIps = new HashSet<>();
        Set<Integer> usedPorts = new HashSet<>();
        for (Service other : existing) {
            ServiceSpec o = other.getSpec();
            if (o.getClusterIPs() != null) {
                usedIps.addAll(o.getClusterIPs());
            }
            o.getPorts().stream().map(ServicePort::getNodePort).filter(Objects::nonNull).forEach(usedPorts::add);
            if (o.getHealthCheckNodePort() != null) {
                usedPorts.add(o.getHealthCheckNodePort());
            }
        }
        allocateClusterIps(spec, usedIps);
        if (external) {
            for (ServicePort p : spec.getPorts()) {
                if (p.getNodePort() == null || p.getNodePort() == 0) {
                    p.setNodePort(nodePort(usedPorts));
                }
            }
        } else {
            spec.getPorts().forEach(p -> p.setNodePort(null));
        }
        boolean healthCheck = type.equals("LoadBalancer") && "Local".equals(spec.getExternalTrafficPolicy());
        if (healthCheck && (spec.getHealthCheckNodePort() == null || spec.getHealthCheckNodePort() == 0)) {
            spec.setHealthCheckNodePort(nodePort(usedPorts));
        } else if (!healthCheck) {
            spec.setHealthCheckNodePort(null);
        }
        return s.equals(service) ? null : s;
    }

    private void allocateClusterIps(ServiceSpec spec, Set<String> used) {
        String ip = spec.getClusterIP();
        if ("None".equals(ip)) {
            return;
        }
        if (ip == null || ip.isEmpty()) {
            List<String> families = spec.getIpFamilies() != null && !spec.getIpFamilies().isEmpty()
                    ? spec.getIpFamilies()
                    : "SingleStack".equals(spec.getIpFamilyPolicy()) || spec.getIpFamilyPolicy() == null
                    ? List.of("IPv4") : List.of("IPv4", "IPv6");
            List<String> ips = new ArrayList<>();
            int host = freeHost(used);
            for (String family : families) {
                ips.add(family.equals("IPv6") ? "fd00:10:96::" + Integer.toHexString(host)
                        : "10.96." + (host / 256) + "." + (host % 256));
            }
            spec.setClusterIP(ips.get(0));
            spec.setClusterIPs(ips);
            spec.setIpFamilies(families);
        } else if (spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty()) {
            spec.setClusterIPs(List.of(ip));
        }
        if (spec.getIpFamilies() == null || spec.getIpFamilies().isEmpty()) {
            spec.setIpFamilies(spec.getClusterIPs().stream().map(a -> a.contains(":") ? "IPv6" : "IPv4").toList());
        }
        if (spec.getIpFamilyPolicy() == null) {
            spec.setIpFamilyPolicy(spec.getIpFamilies().size() > 1 ? "RequireDualStack" : "SingleStack");
        }
    }

    /** A host number free in both families (so a dual-stack Service's two IPs share it: easy to read). */
    private int freeHost(Set<String> used) {
        for (int i = 0; i < 60000; i++) {
            int host = nextIp++;
            if (nextIp >= 65000) {
                nextIp = 10;
            }
            String v4 = "10.96." + (host / 256) + "." + (host % 256);
            String v6 = "fd00:10:96::" + Integer.toHexString(host);
            if (host % 256 != 0 && host % 256 != 255 && !used.contains(v4) && !used.contains(v6)) {
                used.add(v4);
                used.add(v6);
                return host;
            }
        }
        throw new IllegalStateException("service CIDR exhausted");
    }

    private int nodePort(Set<Integer> used) {
        for (int i = 0; i <= NODE_PORT_MAX - NODE_PORT_MIN; i++) {
            int port = nextNodePort++;
            if (nextNodePort > NODE_PORT_MAX) {
                nextNodePort = NODE_PORT_MIN;
            }
            if (used.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("NodePort range exhausted");
    }
}
