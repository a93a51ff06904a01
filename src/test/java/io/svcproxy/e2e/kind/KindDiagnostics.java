package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What diagnoses a failed e2e test on a real cluster, saved under a label: for each node, its
 * netfilter, ipset and IPVS state read in the proxy's own pod (the svcproxy image has the tools, and
 * the pod shares the node's network namespace) and the proxy's log; the Services, EndpointSlices,
 * Pods and Events of the test namespace. Nothing here throws for a cluster that cannot answer: what
 * failed is written in the files instead.
 */
final class KindDiagnostics {
    private static final Duration EXEC = Duration.ofSeconds(30);
    /** Read-only commands; each one's absence (legacy tables unused, no IPVS) is just noted. */
    static final String NODE_STATE = String.join("; ",
            "for t in iptables-nft-save ip6tables-nft-save iptables-legacy-save ip6tables-legacy-save; do echo \"### $t\"; $t 2>&1; done",
            "echo '### ipset list'; ipset list 2>&1 | head -n 5000",
            "echo '### ip addr show kube-ipvs0'; ip addr show kube-ipvs0 2>&1",
            "echo '### /proc/net/ip_vs'; cat /proc/net/ip_vs 2>&1",
            "echo '### /proc/net/ip_vs_conn (head)'; head -n 200 /proc/net/ip_vs_conn 2>&1");

    private final KubernetesClient client;
    private final KindSettings settings;
    private final String namespace;

    KindDiagnostics(KubernetesClient client, KindSettings settings, String namespace) {
        this.client = client;
        this.settings = settings;
        this.namespace = namespace;
    }

    /** Writes dir/LABEL-NODE.rules, dir/LABEL-NODE.log and dir/LABEL-objects.yaml; returns what to look at. */
    String save(Path dir, String what) {
        String label = what.replaceAll("[^A-Za-z0-9_.-]", "_");
        try {
            Files.createDirectories(dir);
            List<Pod> proxies;
            try {
                proxies = client.pods().inNamespace(settings.proxyNamespace()).withLabels(settings.proxyLabels()).list()
                        .getItems();
            } catch (KubernetesClientException e) {
                proxies = List.of();
                Files.writeString(dir.resolve(label + "-proxies.err"), "cannot list the proxy pods: " + e);
            }
            for (Pod p : proxies) {
                String node = p.getSpec().getNodeName();
                String name = p.getMetadata().getName();
                PodRequests.Output state = PodExec.run(client, settings.proxyNamespace(), name,
                        List.of("sh", "-c", NODE_STATE), EXEC);
                Files.writeString(dir.resolve(label + "-" + node + ".rules"), "# read in " + settings.proxyNamespace()
                        + "/" + name + " (exit " + state.exitCode() + ")\n" + state.stdout() + state.stderr());
                Files.writeString(dir.resolve(label + "-" + node + ".log"), log(settings.proxyNamespace(), name));
            }
            Files.writeString(dir.resolve(label + "-objects.yaml"), objects());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write diagnostics under " + dir, e);
        }
        return "each node's rules, ipsets and IPVS table in " + dir + "/" + label + "-NODE.rules, the proxy logs in "
                + dir + "/" + label + "-NODE.log, the namespace's objects in " + dir + "/" + label + "-objects.yaml"
                + " (proxy pods: " + settings.proxyNamespace() + " " + settings.proxySelector() + ")";
    }

    private String log(String ns, String pod) {
        try {
            return client.pods().inNamespace(ns).withName(pod).tailingLines(3000).getLog();
        } catch (KubernetesClientException e) {
            return "cannot read the log: " + e;
        }
    }

    private String objects() {
        StringBuilder b = new StringBuilder();
        try {
            b.append("# Services\n").append(Serialization.asYaml(client.services().inNamespace(namespace).list()));
            b.append("# EndpointSlices\n").append(Serialization.asYaml(
                    client.discovery().v1().endpointSlices().inNamespace(namespace).list()));
            b.append("# Pods\n").append(Serialization.asYaml(client.pods().inNamespace(namespace).list()));
            b.append("# Events\n").append(Serialization.asYaml(client.v1().events().inNamespace(namespace).list()));
        } catch (KubernetesClientException e) {
            b.append("# cannot read more: ").append(e);
        }
        return b.toString();
    }
}
