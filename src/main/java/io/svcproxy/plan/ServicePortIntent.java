package io.svcproxy.plan;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What one service port does on this node for one family, independent of how a proxy mode writes it
 * down: the endpoints each kind of traffic goes to, what happens when there are none, masquerading,
 * the source-range firewall, affinity, and the addresses the port is reachable at. The decisions are
 * kube-proxy's (the same ones {@link ServicePortRenderer} writes as iptables rules).
 *
 * @param clusterEndpoints       endpoints for Cluster policy (topology-filtered)
 * @param localEndpoints         this node's endpoints for Local policy
 * @param reachableEndpoints     union of both: every endpoint this node may DNAT to, sorted
 * @param nodeEndpoints          every endpoint of this family on this node, ready or not (IPVS mode's
 *                               hairpin set lists them all, as kube-proxy does)
 * @param usesClusterEndpoints   the Cluster policy endpoint set is in use (and non-empty)
 * @param usesLocalEndpoints     the Local policy endpoint set is in use (and non-empty)
 * @param hasEndpoints           some usable endpoint exists somewhere in the cluster
 * @param hasInternalEndpoints   cluster-IP traffic has somewhere to go
 * @param hasExternalEndpoints   external (NodePort/LB/external IP) traffic has somewhere to go
 * @param usesExternalChain      an external-traffic step is needed (has endpoints and is externally reachable)
 * @param sourceRangesApply      load-balancer IPs with source ranges: traffic to them is filtered by source
 *                               (iptables mode only builds its firewall chain when there are endpoints too;
 *                               nftables mode filters regardless)
 * @param allowFromNode          a source range contains the node IP, so LB IPs are allowed as sources too
 */
public record ServicePortIntent(
        ServicePort service,
        IpFamily family,
        InetAddress clusterIP,
        List<InetAddress> externalIPs,
        List<InetAddress> loadBalancerIPs,
        List<Cidr> sourceRanges,
        List<Endpoint> clusterEndpoints,
        List<Endpoint> localEndpoints,
        List<Endpoint> reachableEndpoints,
        List<Endpoint> nodeEndpoints,
        boolean usesClusterEndpoints,
        boolean usesLocalEndpoints,
        boolean hasEndpoints,
        boolean hasInternalEndpoints,
        boolean hasExternalEndpoints,
        boolean usesExternalChain,
        boolean sourceRangesApply,
        boolean allowFromNode) {

    /** What traffic meets when it has no endpoint to go to. */
    public enum NoEndpoints { NONE, REJECT, DROP }

    public ServicePortIntent {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(clusterIP, "clusterIP");
        externalIPs = List.copyOf(externalIPs);
        loadBalancerIPs = List.copyOf(loadBalancerIPs);
        sourceRanges = List.copyOf(sourceRanges);
        clusterEndpoints = List.copyOf(clusterEndpoints);
        localEndpoints = List.copyOf(localEndpoints);
        reachableEndpoints = List.copyOf(reachableEndpoints);
        nodeEndpoints = List.copyOf(nodeEndpoints);
    }

    /**
     * The intent of {@code svc} for {@code opts.family()}; null when the port has no cluster IP of that
     * family (it is then not served in that family at all).
     */
    public static ServicePortIntent of(ServicePort svc, List<Endpoint> allEndpoints, PlannerOptions opts) {
        IpFamily family = opts.family();
        InetAddress clusterIP = svc.clusterIP(family);
        if (clusterIP == null) {
            return null;
        }
        List<Endpoint> endpoints = allEndpoints.stream().filter(ep -> ep.family() == family).toList();
        EndpointSelection sel = EndpointSelector.select(svc, endpoints, family, opts.hostname(), opts.zone());
        boolean hasEndpoints = sel.anyEndpoints();
        boolean hasInternal = hasEndpoints && !(svc.internalPolicyLocal() && sel.local().isEmpty());
        boolean hasExternal = hasEndpoints && !(svc.externalPolicyLocal() && sel.local().isEmpty());
        List<InetAddress> lbIPs = svc.loadBalancerIPs(family);
        List<Cidr> ranges = svc.sourceRanges(family);
        boolean allowFromNode = opts.nodeIP() != null && ranges.stream().anyMatch(r -> r.contains(opts.nodeIP()));
        return new ServicePortIntent(svc, family, clusterIP, svc.externalIPs(family), lbIPs, ranges,
                sel.cluster(), sel.local(), sel.reachable(),
                endpoints.stream().filter(ep -> ep.isLocal(opts.hostname())).toList(),
                !sel.cluster().isEmpty() && svc.usesClusterEndpoints(family),
                !sel.local().isEmpty() && svc.usesLocalEndpoints(family),
                hasEndpoints, hasInternal, hasExternal,
                hasEndpoints && svc.externallyAccessible(family),
                !lbIPs.isEmpty() && !ranges.isEmpty(),
                allowFromNode);
    }

    public ServicePortName name() {
        return service.name();
    }

    /** Cluster-IP traffic without endpoints: REJECT when the service has none at all, DROP when none are local. */
    public NoEndpoints internalNoEndpoints() {
        return !hasEndpoints ? NoEndpoints.REJECT : hasInternalEndpoints ? NoEndpoints.NONE : NoEndpoints.DROP;
    }

    /** External traffic without endpoints, likewise. */
    public NoEndpoints externalNoEndpoints() {
        return !hasEndpoints ? NoEndpoints.REJECT : hasExternalEndpoints ? NoEndpoints.NONE : NoEndpoints.DROP;
    }

    /** Cluster-IP traffic goes to the Local policy endpoints (internalTrafficPolicy Local). */
    public boolean internalPolicyLocal() {
        return service.internalPolicyLocal();
    }

    public boolean externalPolicyLocal() {
        return service.externalPolicyLocal();
    }

    public int nodePort() {
        return service.nodePort();
    }

    public int healthCheckNodePort() {
        return service.healthCheckNodePort();
    }

    public boolean sessionAffinity() {
        return service.sessionAffinity();
    }

    public int affinityTimeoutSeconds() {
        return service.affinityTimeoutSeconds();
    }

    /**
     * The endpoints cluster-IP traffic goes to where a mode has one destination set per address
     * (IPVS): the Local policy's when it has any, else the Cluster policy's, so that pods can still
     * reach the service (kubernetes PR 97081).
     */
    public List<Endpoint> internalDestinations() {
        return destinations(internalPolicyLocal());
    }

    /** External traffic's endpoints likewise, by externalTrafficPolicy. */
    public List<Endpoint> externalDestinations() {
        return destinations(externalPolicyLocal());
    }

    private List<Endpoint> destinations(boolean localPolicy) {
        return localPolicy && !localEndpoints.isEmpty() ? localEndpoints : clusterEndpoints;
    }

    /** This node's endpoints among the reachable ones (a pod reaching itself via the service needs SNAT). */
    public List<Endpoint> localReachableEndpoints(String hostname) {
        return reachableEndpoints.stream().filter(ep -> ep.isLocal(hostname)).toList();
    }
}
