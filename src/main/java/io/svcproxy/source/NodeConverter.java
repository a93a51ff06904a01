package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.model.Warning;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts a v1 Node into {@link NodeInfo}. A Node with any bad field is dropped whole with one
 * warning (like a Service): node-local rules built on half a node would be subtly wrong.
 */
public final class NodeConverter {
    static final int MAX_ADDRESSES = 100;

    private NodeConverter() {
    }

    public static Optional<NodeInfo> convert(Node node, List<Warning> warnings) {
        ObjectMeta meta = node.getMetadata() == null ? new ObjectMeta() : node.getMetadata();
        try {
            ObjectMetas.check(meta, false, false);
            return Optional.of(new NodeInfo(meta.getName(),
                    meta.getLabels() == null ? Map.of() : meta.getLabels(),
                    addresses(node), podCidrs(node), meta.getDeletionTimestamp() != null));
        } catch (InvalidField e) {
            warnings.add(new Warning("Node", Texts.objectName(null, meta.getName()), e.field(), e.getMessage()));
            return Optional.empty();
        }
    }

    /** status.addresses: InternalIP entries first, then ExternalIP (host names and others ignored). */
    private static List<InetAddress> addresses(Node node) {
        List<NodeAddress> all = node.getStatus() == null || node.getStatus().getAddresses() == null
                ? List.of() : node.getStatus().getAddresses();
        if (all.size() > MAX_ADDRESSES) {
            throw new InvalidField("status.addresses", all.size() + " entries, more than " + MAX_ADDRESSES);
        }
        List<InetAddress> result = new ArrayList<>();
        for (String type : List.of("InternalIP", "ExternalIP")) {
            for (int i = 0; i < all.size(); i++) {
                NodeAddress a = all.get(i);
                if (a != null && type.equals(a.getType())) {
                    result.add(FieldParsers.ip(a.getAddress(), "status.addresses[" + i + "].address"));
                }
            }
        }
        return result;
    }

    /** spec.podCIDRs, falling back to the older single spec.podCIDR. */
    private static List<Cidr> podCidrs(Node node) {
        if (node.getSpec() == null) {
            return List.of();
        }
        List<String> texts = node.getSpec().getPodCIDRs();
        String field = "spec.podCIDRs";
        if (texts == null || texts.isEmpty()) {
            String single = node.getSpec().getPodCIDR();
            texts = single == null || single.isEmpty() ? List.of() : Collections.singletonList(single);
            field = "spec.podCIDR";
        }
        if (texts.size() > 2) {
            throw new InvalidField(field, texts.size() + " entries, at most 2 (one per family)");
        }
        List<Cidr> result = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                result.add(Cidr.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new InvalidField(field + "[" + i + "]", "invalid CIDR '" + Texts.quote(texts.get(i)) + "'");
            }
        }
        return result;
    }
}
