package io.svcproxy.source;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Kubernetes objects from YAML (multi-document, kind: List, or both) or JSON, keeping the
 * Services, EndpointSlices, Nodes and ServiceCIDRs. Bounded: at most {@link #MAX_BYTES} bytes. Jackson's YAML
 * parser does not expand aliases into copies (an alias reads as its anchor name), so an alias bomb
 * stays small; the SnakeYAML limits below (aliases, nesting, recursive keys) are defence in depth.
 * An object that does not fit its type (say, a port that is not a number) becomes a warning;
 * only a file that is not YAML/JSON at all fails as a whole.
 */
final class KubernetesDocumentReader {
    static final long MAX_BYTES = 256L * 1024 * 1024;
    static final int MAX_ALIASES = 50;
    static final int MAX_NESTING = 64;

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesDocumentReader.class);
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().loaderOptions(loaderOptions()).build());
    private static final ObjectMapper JSON = new ObjectMapper();
    // Plain Jackson on fabric8's annotated model: unknown fields land in additionalProperties,
    // type mismatches fail (and become a warning), nothing is coerced silently.
    private static final ObjectMapper OBJECTS = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final String source;
    private final List<Service> services = new ArrayList<>();
    private final List<EndpointSlice> slices = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<GenericKubernetesResource> serviceCidrs = new ArrayList<>();
    private final List<Warning> warnings = new ArrayList<>();

    private KubernetesDocumentReader(String source) {
        this.source = source;
    }

    /**
     * @param source the file name, for messages
     * @throws IOException when the stream is not YAML/JSON, or longer than {@link #MAX_BYTES}
     */
    static ParsedObjects read(InputStream in, String source) throws IOException {
        KubernetesDocumentReader reader = new KubernetesDocumentReader(source);
        BufferedInputStream buffered = new BufferedInputStream(new LimitedInputStream(in, MAX_BYTES), 65536);
        ObjectMapper mapper = looksLikeJson(buffered) ? JSON : YAML;
        try (MappingIterator<JsonNode> docs = mapper.readerFor(JsonNode.class).readValues(buffered)) {
            int index = 0;
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                index++;
                reader.collect(doc, "document " + index);
            }
        }
        return new ParsedObjects(reader.services, reader.slices, reader.nodes, reader.serviceCidrs, reader.warnings);
    }

    private void collect(JsonNode node, String position) {
        if (node == null || node.isNull() || node.isMissingNode() || (node.isTextual() && node.asText().isEmpty())) {
            return; // an empty YAML document, e.g. a trailing "---"
        }
        if (!node.isObject()) {
            warnings.add(new Warning("File", Texts.oneLine(source), position, "not an object; ignored"));
            return;
        }
        String apiVersion = node.path("apiVersion").asText("");
        String kind = node.path("kind").asText("");
        if (kind.endsWith("List") && node.path("items").isArray()) {
            JsonNode items = node.get("items");
            for (int i = 0; i < items.size(); i++) {
                collect(items.get(i), position + " items[" + i + "]");
            }
            return;
        }
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            warnings.add(new Warning("File", Texts.oneLine(source), position, "object without apiVersion/kind; ignored"));
            return;
        }
        switch (apiVersion + " " + kind) {
            case "v1 Service" -> convert(node, Service.class, kind, position, services);
            case "discovery.k8s.io/v1 EndpointSlice" -> convert(node, EndpointSlice.class, kind, position, slices);
            case "v1 Node" -> convert(node, Node.class, kind, position, nodes);
            // Only v1, as kube-proxy v1.36 reads it; the v1beta1 objects of older clusters are ignored.
            case "networking.k8s.io/v1 ServiceCIDR" -> convert(node, GenericKubernetesResource.class, kind, position,
                    serviceCidrs);
            default -> LOG.debug("{} {}: {} {} ignored", Texts.oneLine(source), position, Texts.quote(apiVersion), Texts.quote(kind));
        }
    }

    private <T> void convert(JsonNode node, Class<T> type, String kind, String position, List<T> into) {
        try {
            into.add(OBJECTS.treeToValue(node, type));
        } catch (IOException | IllegalArgumentException e) {
            JsonNode meta = node.path("metadata");
            String object = Texts.objectName(meta.path("namespace").asText(null), meta.path("name").asText(null));
            warnings.add(new Warning(kind, object, "", "cannot be read (" + position + "): " + Texts.oneLine(e.getMessage())));
        }
    }

    /** JSON if the first non-blank character opens an object or array (YAML would misread some JSON). */
    private static boolean looksLikeJson(BufferedInputStream in) throws IOException {
        in.mark(4096);
        try {
            for (int i = 0; i < 4096; i++) {
                int c = in.read();
                if (c < 0) {
                    return false;
                }
                if (c == 0xEF || c == 0xBB || c == 0xBF || Character.isWhitespace(c)) {
                    continue; // UTF-8 BOM or blank
                }
                return c == '{' || c == '[';
            }
            return false;
        } finally {
            in.reset();
        }
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit((int) MAX_BYTES);
        return options;
    }
}
