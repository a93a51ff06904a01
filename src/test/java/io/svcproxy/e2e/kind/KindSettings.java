package io.svcproxy.e2e.kind;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the kind driver needs to know about the cluster it is pointed at, from system properties
 * ({@code mvn -Pe2e-kind verify -De2e.context=kind-svcproxy-e2e ...}); every one has a default that
 * fits {@code e2e/kind/run.sh}'s cluster.
 *
 * @param kubeconfig     {@code e2e.kubeconfig}: the kubeconfig file; null: fabric8's usual lookup ($KUBECONFIG, ~/.kube/config)
 * @param context        {@code e2e.context}: the kubeconfig context; null: its current context
 * @param agnhostImage   {@code e2e.agnhostImage}: the sig-network test image (netexec servers, curl, bash)
 * @param proxyNamespace {@code e2e.proxyNamespace}: where the proxy's pods run (for diagnostics)
 * @param proxySelector  {@code e2e.proxySelector}: a label selector {@code key=value} of the proxy's pods
 * @param sctp           {@code e2e.sctp}: {@code connect} (real SCTP associations) or {@code none}
 * @param convergence    {@code e2e.convergenceSeconds}: how long the suite waits for the proxies to follow a change
 * @param podReady       {@code e2e.podReadySeconds}: how long a pod may take to be Ready (an image pull included)
 * @param dir            {@code e2e.dir}: where diagnostics go (a run's own folder is made under it)
 */
public record KindSettings(Path kubeconfig, String context, String agnhostImage, String proxyNamespace,
                           String proxySelector, boolean sctp, Duration convergence, Duration podReady, Path dir) {
    public static final String DEFAULT_AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53";

    /** From the JVM's system properties. */
    public static KindSettings fromSystemProperties() {
        return from(System::getProperty);
    }

    /** From any property lookup (a blank value counts as unset, as Maven passes unset properties as ""). */
    static KindSettings from(UnaryOperator<String> property) {
        UnaryOperator<String> p = k -> {
            String v = property.apply(k);
            return v == null || v.isBlank() ? null : v.strip();
        };
        String sctp = or(p.apply("e2e.sctp"), "connect");
        if (!sctp.equals("connect") && !sctp.equals("none")) {
            throw new IllegalArgumentException("e2e.sctp must be connect or none, not " + sctp);
        }
        String selector = or(p.apply("e2e.proxySelector"), "app.kubernetes.io/name=svcproxy");
        if (!selector.matches("[^=,]+=[^=,]+")) {
            throw new IllegalArgumentException("e2e.proxySelector must be one key=value, not " + selector);
        }
        String kubeconfig = p.apply("e2e.kubeconfig");
        return new KindSettings(kubeconfig == null ? null : Path.of(kubeconfig), p.apply("e2e.context"),
                or(p.apply("e2e.agnhostImage"), DEFAULT_AGNHOST), or(p.apply("e2e.proxyNamespace"), "kube-system"),
                selector, sctp.equals("connect"),
                Duration.ofSeconds(Long.parseLong(or(p.apply("e2e.convergenceSeconds"), "60"))),
                Duration.ofSeconds(Long.parseLong(or(p.apply("e2e.podReadySeconds"), "180"))),
                Path.of(or(p.apply("e2e.dir"), "target/e2e-kind")));
    }

    /** The proxy pods' label selector as a map. */
    public Map<String, String> proxyLabels() {
        String[] kv = proxySelector.split("=", 2);
        return Map.of(kv[0], kv[1]);
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
