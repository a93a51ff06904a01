package io.svcproxy.source;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The networking.k8s.io/v1 ServiceCIDR resource for fabric8's generic client (6.13 only has the
 * v1alpha1 type), and which API answers mean "this cluster does not let us read them".
 */
final class ServiceCidrResource {
    /**
     * Spelled out rather than looked up by apiVersion and kind: the lookup is a discovery request
     * that fails before any informer starts, where the informer's own 404 can be handled.
     */
    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("networking.k8s.io").withVersion("v1").withKind(ServiceCidrConverter.KIND)
            .withPlural("servicecidrs").withNamespaced(false).build();

    static final int NOT_FOUND = 404;
    static final int FORBIDDEN = 403;

    private ServiceCidrResource() {
    }

    /**
     * 404 (a cluster before Kubernetes 1.33 has no v1 ServiceCIDRs) or 403 (RBAC does not grant
     * list/watch on them) when {@code t} is such an answer of the API server; 0 for anything else
     * (an outage, which is handled like the other informers').
     */
    static int unreadableStatus(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof KubernetesClientException e && (e.getCode() == NOT_FOUND || e.getCode() == FORBIDDEN)) {
                return e.getCode();
            }
        }
        return 0;
    }

    /** The log line for {@link #unreadableStatus}: what is missing and what it costs. */
    static String unreadableMessage(int status, String endpoint) {
        String why = status == NOT_FOUND
                ? "the API server " + endpoint + " has no networking.k8s.io/v1 ServiceCIDRs (404; Kubernetes before 1.33)"
                : "not allowed to list/watch ServiceCIDRs (networking.k8s.io) on the API server " + endpoint
                + " (403; the ClusterRole needs list and watch on servicecidrs)";
        return why + ": continuing without service CIDRs, so nftables mode leaves out the rule dropping traffic to"
                + " unallocated ClusterIPs; retrying in the background";
    }
}
