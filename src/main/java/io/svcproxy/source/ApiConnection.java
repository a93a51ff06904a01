package io.svcproxy.source;

import java.util.Optional;

/**
 * How to reach the Kubernetes API, with kube-proxy's flags: {@code --kubeconfig} (or the
 * KubeProxyConfiguration's {@code clientConnection.kubeconfig}) and {@code --master}. With neither,
 * the in-cluster configuration (service account token, {@code KUBERNETES_SERVICE_HOST/PORT}) is used.
 *
 * <p>In a cluster the proxy must not reach the API through the {@code kubernetes} Service's cluster
 * IP: that VIP is one of the rules the proxy itself programs, so a node whose rules are missing
 * could never fetch them. Point it at the control-plane endpoint instead: a kubeconfig naming it,
 * {@code --master https://HOST:PORT}, or {@code KUBERNETES_SERVICE_HOST}/{@code KUBERNETES_SERVICE_PORT}
 * set in the DaemonSet's environment (these override the values the kubelet injects).
 *
 * @param kubeconfig path of a kubeconfig file; "" for none
 * @param master     API server URL; overrides the kubeconfig's server; "" for none
 */
public record ApiConnection(String kubeconfig, String master) {

    public ApiConnection {
        kubeconfig = kubeconfig == null ? "" : kubeconfig.trim();
        master = master == null ? "" : master.trim();
    }

    public Optional<String> kubeconfigPath() {
        return kubeconfig.isEmpty() ? Optional.empty() : Optional.of(kubeconfig);
    }

    public Optional<String> masterUrl() {
        return master.isEmpty() ? Optional.empty() : Optional.of(master);
    }

    /** For the start-up log line. */
    public String describe() {
        if (!kubeconfig.isEmpty()) {
            return "kubeconfig " + kubeconfig + (master.isEmpty() ? "" : ", master " + master);
        }
        return master.isEmpty() ? "in-cluster configuration" : "master " + master;
    }
}
