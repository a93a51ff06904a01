package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns fabric8 objects (from a file or, later, from API informers) into a {@link ClusterSnapshot}.
 * Inputs are sorted by namespace/name first, so the result and the order of warnings do not depend
 * on the order objects arrived in. This never throws for bad objects: each becomes a warning.
 */
public final class SnapshotBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotBuilder.class);
    private static final Comparator<HasMetadata> BY_NAMESPACE_AND_NAME = Comparator
            .comparing((HasMetadata o) -> o.getMetadata() == null ? "" : ObjectMetas.namespace(o.getMetadata()))
            .thenComparing(o -> o.getMetadata() == null || o.getMetadata().getName() == null ? "" : o.getMetadata().getName());

    private SnapshotBuilder() {
    }

    /**
     * @param node     this proxy's Node, if known
     * @param hostname this proxy's node name (--hostname-override); a node of another name is ignored
     */
    public static ClusterSnapshot build(List<Service> services, List<EndpointSlice> slices, Optional<Node> node,
                                        String hostname) {
        return build(services, slices, node, hostname, List.of());
    }

    /** As {@link #build(List, List, Optional, String)}, prepending warnings found while reading the input. */
    public static ClusterSnapshot build(List<Service> services, List<EndpointSlice> slices, Optional<Node> node,
                                        String hostname, List<Warning> readWarnings) {
        List<Warning> warnings = new ArrayList<>(readWarnings);
        Map<ServicePortName, ServicePort> ports = new TreeMap<>();
        for (Service s : unique(services, "Service", warnings)) {
            for (ServicePort p : ServiceConverter.convert(s, warnings)) {
                ports.put(p.name(), p);
            }
        }
        EndpointMerger merger = new EndpointMerger();
        for (EndpointSlice slice : unique(slices, "EndpointSlice", warnings)) {
            merger.add(EndpointSliceConverter.convert(slice, warnings));
        }
        // Endpoints of services we do not proxy (headless, skipped, absent) are of no use downstream.
        Map<ServicePortName, List<Endpoint>> endpoints = new TreeMap<>(merger.result());
        endpoints.keySet().retainAll(ports.keySet());
        Optional<NodeInfo> nodeInfo = node.flatMap(n -> thisNode(n, hostname, warnings));
        return new ClusterSnapshot(new TreeMap<>(ports), endpoints, nodeInfo, warnings);
    }

    private static Optional<NodeInfo> thisNode(Node node, String hostname, List<Warning> warnings) {
        Optional<NodeInfo> info = NodeConverter.convert(node, warnings);
        if (info.isPresent() && hostname != null && !hostname.isEmpty() && !hostname.equals(info.get().name())) {
            LOG.debug("Node {} ignored: this proxy's hostname is {}", Texts.quote(info.get().name()), Texts.quote(hostname));
            return Optional.empty();
        }
        return info;
    }

    /** Sorted by namespace/name; a second object with the same namespace/name is dropped with a warning. */
    private static <T extends HasMetadata> List<T> unique(List<T> objects, String kind, List<Warning> warnings) {
        List<T> sorted = new ArrayList<>(objects);
        sorted.sort(BY_NAMESPACE_AND_NAME);
        Set<String> seen = new HashSet<>();
        List<T> result = new ArrayList<>();
        for (T o : sorted) {
            ObjectMeta meta = o.getMetadata() == null ? new ObjectMeta() : o.getMetadata();
            String key = ObjectMetas.namespace(meta) + "/" + meta.getName();
            if (meta.getName() != null && !seen.add(key)) {
                warnings.add(new Warning(kind, Texts.objectName(ObjectMetas.namespace(meta), meta.getName()),
                        "metadata.name", "duplicate object; the first one is used"));
                continue;
            }
            result.add(o);
        }
        return result;
    }
}
