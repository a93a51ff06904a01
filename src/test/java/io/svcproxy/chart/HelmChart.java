package io.svcproxy.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Renders charts/svcproxy in-process (helm-java's bundled helm) and parses the objects with fabric8. */
final class HelmChart {
    static final String RELEASE = "svcproxy";
    static final String NAMESPACE = "kube-system";
    /** A version inside Chart.yaml's kubeVersion (helm template otherwise assumes an old default). */
    static final String KUBE_VERSION = "1.33.0";

    private HelmChart() {
    }

    static Path chartDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("charts/svcproxy"))) {
            dir = dir.getParent();
            if (dir == null) {
                throw new IllegalStateException("charts/svcproxy not found above " + Path.of("").toAbsolutePath());
            }
        }
        return dir.resolve("charts/svcproxy");
    }

    /** helm template with --set values. Throws IllegalStateException when helm refuses (e.g. the schema). */
    static String template(Map<String, Object> sets) {
        return template(sets, null);
    }

    /** helm template with --set values and an optional values file (YAML text). */
    static String template(Map<String, Object> sets, String valuesYaml) {
        TemplateCommand cmd = new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        sets.forEach(cmd::set);
        Path values = null;
        try {
            if (valuesYaml != null) {
                values = Files.createTempFile("svcproxy-values", ".yaml");
                Files.writeString(values, valuesYaml);
                cmd.withValuesFile(values);
            }
            return cmd.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (values != null) {
                try {
                    Files.deleteIfExists(values);
                } catch (IOException ignored) {
                    // a temp file left behind
                }
            }
        }
    }

    static Rendered render(Map<String, Object> sets) {
        return new Rendered(parse(template(sets)));
    }

    static Rendered render(Map<String, Object> sets, String valuesYaml) {
        return new Rendered(parse(template(sets, valuesYaml)));
    }

    static List<HasMetadata> parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : manifests.split("(?m)^---\\s*$")) {
            String body = doc.strip();
            if (body.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            objects.add(Serialization.unmarshal(body, HasMetadata.class));
        }
        return objects;
    }

    record Rendered(List<HasMetadata> objects) {
        <T extends HasMetadata> T one(Class<T> type) {
            List<T> found = all(type);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
            }
            return found.get(0);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        Optional<HasMetadata> kind(String kind) {
            return objects.stream().filter(o -> o.getKind().equals(kind)).findFirst();
        }
    }
}
