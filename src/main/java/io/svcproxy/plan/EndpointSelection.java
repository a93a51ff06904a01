package io.svcproxy.plan;

import io.svcproxy.model.Endpoint;

import java.util.List;

/**
 * Which endpoints each traffic policy uses on this node (kube-proxy's CategorizeEndpoints).
 *
 * @param cluster      endpoints for "Cluster" policy (topology-filtered; terminating fallback)
 * @param local        this node's endpoints for "Local" policy (terminating fallback)
 * @param reachable    union of both: the endpoints that get a KUBE-SEP chain, sorted
 * @param anyEndpoints the service has a usable endpoint somewhere in the cluster
 */
public record EndpointSelection(List<Endpoint> cluster, List<Endpoint> local, List<Endpoint> reachable,
                                boolean anyEndpoints) {
}
