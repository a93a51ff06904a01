package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/** Namespace defaulting and name/label checks shared by the converters. */
final class ObjectMetas {
    static final String DEFAULT_NAMESPACE = "default";

    private ObjectMetas() {
    }

    /** metadata.namespace, "default" when missing (a namespaced object in a file may omit it). */
    static String namespace(ObjectMeta meta) {
        String ns = meta.getNamespace();
        return ns == null || ns.isEmpty() ? DEFAULT_NAMESPACE : ns;
    }

    /**
     * Checks the namespace (DNS-1123 label), the name (a DNS-1035 label for Services, otherwise a
     * DNS-1123 subdomain) and the labels.
     */
    static void check(ObjectMeta meta, boolean serviceName, boolean namespaced) {
        if (namespaced && !KubernetesNames.isDns1123Label(namespace(meta))) {
            throw new InvalidField("metadata.namespace", "invalid namespace '" + Texts.quote(meta.getNamespace()) + "'");
        }
        String name = meta.getName();
        boolean valid = serviceName ? KubernetesNames.isDns1035Label(name) : KubernetesNames.isDns1123Subdomain(name);
        if (!valid) {
            throw new InvalidField("metadata.name", name == null || name.isEmpty()
                    ? "missing" : "invalid name '" + Texts.quote(name) + "'");
        }
        KubernetesNames.checkLabels(meta.getLabels());
    }
}
