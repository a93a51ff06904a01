package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.Warning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts a networking.k8s.io/v1 ServiceCIDR (read generically: fabric8 6.13 has no v1 type) into
 * its {@code spec.cidrs}. As kube-proxy, every object counts whatever its status (not Ready yet) or
 * deletionTimestamp: the API server deletes a ServiceCIDR only once no ClusterIP is allocated from it,
 * so until then its range still holds services. A bad entry is left out with a warning naming the
 * object and field; the object's other entry is still used.
 */
final class ServiceCidrConverter {
    static final String KIND = "ServiceCIDR";
    /** The API validates at most two, one per family. */
    static final int MAX_CIDRS = 2;

    private ServiceCidrConverter() {
    }

    static List<Cidr> convert(GenericKubernetesResource object, List<Warning> warnings) {
        ObjectMeta meta = object.getMetadata() == null ? new ObjectMeta() : object.getMetadata();
        String name = Texts.objectName(null, meta.getName());
        try {
            ObjectMetas.check(meta, false, false);
            return cidrs(object.getAdditionalProperties().get("spec"), name, warnings);
        } catch (InvalidField e) {
            warnings.add(new Warning(KIND, name, e.field(), e.getMessage() + "; its CIDRs are not used"));
            return List.of();
        }
    }

    private static List<Cidr> cidrs(Object spec, String name, List<Warning> warnings) {
        if (spec == null) {
            return List.of();
        }
        if (!(spec instanceof Map<?, ?> fields)) {
            throw new InvalidField("spec", "not an object");
        }
        Object list = fields.get("cidrs");
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> entries)) {
            throw new InvalidField("spec.cidrs", "not a list");
        }
        if (entries.size() > MAX_CIDRS) {
            throw new InvalidField("spec.cidrs", entries.size() + " entries, at most " + MAX_CIDRS + " (one per family)");
        }
        List<Cidr> result = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String field = "spec.cidrs[" + i + "]";
            Object entry = entries.get(i);
            if (!(entry instanceof String text)) {
                warnings.add(new Warning(KIND, name, field, "not a string; left out"));
                continue;
            }
            try {
                result.add(strict(text));
            } catch (IllegalArgumentException e) {
                String reason = Texts.oneLine(e.getMessage());
                warnings.add(new Warning(KIND, name, field, (reason.startsWith("invalid CIDR") ? reason
                        : "invalid CIDR '" + Texts.quote(text) + "': " + reason) + "; left out"));
            }
        }
        return result;
    }

    /**
     * As the API server validates it: a prefix length is required and the host bits are zero. A
     * lenient reading (masking, or a bare address as /32) would drop traffic to a range nobody asked for.
     */
    static Cidr strict(String text) {
        if (text.indexOf('/') < 0) {
            throw new IllegalArgumentException("no prefix length");
        }
        Cidr cidr = Cidr.parse(text);
        if (!cidr.network().equals(Cidr.parse(text.substring(0, text.indexOf('/'))).network())) {
            throw new IllegalArgumentException("host bits set, the network is " + cidr);
        }
        return cidr;
    }
}
