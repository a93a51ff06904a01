package io.svcproxy.e2e.kind;

import io.svcproxy.e2e.E2eCluster;
import io.svcproxy.e2e.ServiceBehaviours;

/**
 * The Service behaviours suite on a real cluster through the kind driver. Runs only in the Maven
 * profile {@code e2e-kind} (plain {@code mvn verify} leaves it out entirely), against the cluster of a
 * kubeconfig context, e.g. after {@code e2e/kind/run.sh iptables cluster image install}:
 * <pre>
 *   mvn -Pe2e-kind verify -De2e.context=kind-svcproxy-e2e [-De2e.kubeconfig=PATH] [-De2e.sctp=none]
 * </pre>
 * ({@code e2e/kind/run.sh ... suite} does exactly that). Settings: {@link KindSettings}.
 */
class KindE2eIT extends ServiceBehaviours {
    @Override
    protected E2eCluster startCluster() {
        return KindCluster.start(KindSettings.fromSystemProperties());
    }
}
