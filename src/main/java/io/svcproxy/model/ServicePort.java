package io.svcproxy.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Everything the dataplane needs about one port of one Service, already validated.
 * Addresses of both families are kept; the planner picks the family it renders.
 *
 * @param clusterIPs          spec.clusterIPs (one per family)
 * @param port                spec.ports[].port
 * @param nodePort            0 when the service has none
 * @param externalIPs         spec.externalIPs
 * @param loadBalancerIPs     status.loadBalancer.ingress[].ip, excluding ipMode Proxy
 * @param sourceRanges        spec.loadBalancerSourceRanges
 * @param externalPolicyLocal externalTrafficPolicy Local on a NodePort/LoadBalancer service
 * @param internalPolicyLocal internalTrafficPolicy Local
 * @param affinityTimeoutSeconds ClientIP session affinity timeout; 0 = no affinity
 * @param healthCheckNodePort spec.healthCheckNodePort, 0 when none
 */
public record ServicePort(
        ServicePortName name,
        List<InetAddress> clusterIPs,
        int port,
        int nodePort,
        List<InetAddress> externalIPs,
        List<InetAddress> loadBalancerIPs,
        List<Cidr> sourceRanges,
        boolean externalPolicyLocal,
        boolean internalPolicyLocal,
        int affinityTimeoutSeconds,
        int healthCheckNodePort) {

    public ServicePort {
        Objects.requireNonNull(name, "name");
        clusterIPs = List.copyOf(clusterIPs);
        externalIPs = List.copyOf(externalIPs);
        loadBalancerIPs = List.copyOf(loadBalancerIPs);
        sourceRanges = List.copyOf(sourceRanges);
        checkPort("port", port, false);
        checkPort("nodePort", nodePort, true);
        checkPort("healthCheckNodePort", healthCheckNodePort, true);
        if (affinityTimeoutSeconds < 0 || affinityTimeoutSeconds > 86400) {
            throw new IllegalArgumentException("session affinity timeout " + affinityTimeoutSeconds + " out of range 0..86400");
        }
    }

    private static void checkPort(String field, int value, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1) || value > 65535) {
            throw new IllegalArgumentException(field + " " + value + " out of range " + (zeroAllowed ? 0 : 1) + "..65535");
        }
    }

    public Protocol protocol() {
        return name.protocol();
    }

    public boolean sessionAffinity() {
        return affinityTimeoutSeconds > 0;
    }

    /** The cluster IP of one family, or null when the service has none of that family. */
    public InetAddress clusterIP(IpFamily family) {
        for (InetAddress ip : clusterIPs) {
            if (IpFamily.of(ip) == family) {
                return ip;
            }
        }
        return null;
    }

    public List<InetAddress> externalIPs(IpFamily family) {
        return externalIPs.stream().filter(ip -> IpFamily.of(ip) == family).toList();
    }

    public List<InetAddress> loadBalancerIPs(IpFamily family) {
        return loadBalancerIPs.stream().filter(ip -> IpFamily.of(ip) == family).toList();
    }

    public List<Cidr> sourceRanges(IpFamily family) {
        return sourceRanges.stream().filter(c -> c.family() == family).toList();
    }

    /** Reachable from outside the cluster: NodePort, externalIPs or a load-balancer IP (of this family). */
    public boolean externallyAccessible(IpFamily family) {
        return nodePort != 0 || !externalIPs(family).isEmpty() || !loadBalancerIPs(family).isEmpty();
    }

    /** Some traffic follows the "Cluster" policy (external traffic always needs it for short-circuiting). */
    public boolean usesClusterEndpoints(IpFamily family) {
        return !internalPolicyLocal || externallyAccessible(family);
    }

    /** Some traffic follows the "Local" policy. */
    public boolean usesLocalEndpoints(IpFamily family) {
        return internalPolicyLocal || (externalPolicyLocal && externallyAccessible(family));
    }
}
