package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.SortedArrayMap;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns fabric8 objects (from a file or from API informers) into a {@link ClusterSnapshot}.
 * Inputs are sorted by namespace/name first, so the result and the order of warnings do not depend
 * on the order objects arrived in. This never throws for bad objects: each becomes a warning.
 *
 * <p>An instance remembers its last build: an object that is the same instance as last time (an
 * informer cache hands out the same object until it changes) is not converted again, and a service
 * port whose slices' endpoints are the same lists keeps its merged endpoint list, the same object, so
 * the planner sees it unchanged without comparing it. A build then costs a pass over the objects plus
 * the conversion of the changed ones; {@link #build} (static) starts from nothing.
 */
public final class SnapshotBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotBuilder.class);

    /** One service port's endpoints: the per-slice lists they were merged from, and the result. */
    private record Merged(List<List<Endpoint>> parts, List<Endpoint> endpoints) {
    }

    private final ConversionMemo<Service, List<ServicePort>> services;
    private final ConversionMemo<EndpointSlice, Map<ServicePortName, List<Endpoint>>> slices;
    private Map<ServicePortName, Merged> merged = new HashMap<>();

    /**
     * @param node     this proxy's Node, if known
     * @param hostname this proxy's node name (--hostname-override); a node of another name is ignored
     */
    /** A builder for objects from a file: an unchanged object is told by identity alone. */
    public SnapshotBuilder() {
        this(false);
    }

    /**
     * @param trustVersions whether an object with the namespace, name, uid and resourceVersion of one
     *                      converted before is that one (true only for objects from the API server)
     */
    public SnapshotBuilder(boolean trustVersions) {
        services = new ConversionMemo<>(trustVersions, ServiceConverter::convert);
        slices = new ConversionMemo<>(trustVersions, EndpointSliceConverter::convert);
    }

    public static ClusterSnapshot build(List<Service> services, List<EndpointSlice> slices, Optional<Node> node,
                                        String hostname) {
        return build(services, slices, node, hostname, List.of());
    }

    /** As {@link #build(List, List, Optional, String)}, prepending warnings found while reading the input. */
    public static ClusterSnapshot build(List<Service> services, List<EndpointSlice> slices, Optional<Node> node,
                                        String hostname, List<Warning> readWarnings) {
        return new SnapshotBuilder().rebuild(services, slices, node, hostname, readWarnings);
    }

    /** As {@link #build(List, List, Optional, String, List)}, with the ServiceCIDR objects. */
    public static ClusterSnapshot build(List<Service> services, List<EndpointSlice> slices,
                                        List<GenericKubernetesResource> serviceCidrs, Optional<Node> node,
                                        String hostname, List<Warning> readWarnings) {
        return new SnapshotBuilder().rebuild(services, slices, serviceCidrs, node, hostname, readWarnings);
    }

    /** As {@link #build}, reusing what the last call on this instance converted and merged. */
    public ClusterSnapshot rebuild(List<Service> services, List<EndpointSlice> slices, Optional<Node> node,
                                   String hostname, List<Warning> readWarnings) {
        return rebuild(services, slices, List.of(), node, hostname, readWarnings);
    }

    /**
     * As {@link #rebuild(List, List, Optional, String, List)}, with the ServiceCIDR objects. They are
     * a handful in any cluster, so they are converted again each time rather than remembered.
     */
    public ClusterSnapshot rebuild(List<Service> services, List<EndpointSlice> slices,
                                   List<GenericKubernetesResource> serviceCidrs, Optional<Node> node,
                                   String hostname, List<Warning> readWarnings) {
        List<Warning> warnings = new ArrayList<>(readWarnings);
        // Services come sorted by namespace/name, so their ports nearly are: one sort pass, no tree.
        List<ServicePort> portList = new ArrayList<>();
        for (Service s : unique(services, "Service", warnings)) {
            ConversionMemo.Converted<List<ServicePort>> c = this.services.convert(s);
            warnings.addAll(c.warnings());
            portList.addAll(c.result());
        }
        portList.sort(java.util.Comparator.comparing(ServicePort::name));
        List<ServicePortName> portNames = new ArrayList<>(portList.size());
        List<ServicePort> portValues = new ArrayList<>(portList.size());
        for (ServicePort p : portList) {
            // The same name twice (a Service repeating a port): the later one wins, as a map put would.
            if (!portNames.isEmpty() && portNames.get(portNames.size() - 1).equals(p.name())) {
                portValues.set(portValues.size() - 1, p);
                continue;
            }
            portNames.add(p.name());
            portValues.add(p);
        }
        Map<ServicePortName, List<List<Endpoint>>> parts = new HashMap<>();
        for (EndpointSlice slice : unique(slices, "EndpointSlice", warnings)) {
            ConversionMemo.Converted<Map<ServicePortName, List<Endpoint>>> c = this.slices.convert(slice);
            warnings.addAll(c.warnings());
            c.result().forEach((spn, list) -> parts.computeIfAbsent(spn, k -> new ArrayList<>(1)).add(list));
        }
        // Endpoints of services we do not proxy (headless, skipped, absent) are of no use downstream:
        // walked in the ports' order, looked up by hash.
        Map<ServicePortName, Merged> seenMerged = new HashMap<>();
        List<ServicePortName> endpointNames = new ArrayList<>();
        List<List<Endpoint>> endpointLists = new ArrayList<>();
        for (ServicePortName spn : portNames) {
            List<List<Endpoint>> lists = parts.get(spn);
            if (lists == null) {
                continue;
            }
            Merged m = merged.get(spn);
            if (m == null || !sameLists(m.parts(), lists)) {
                m = new Merged(lists, merge(lists));
            }
            seenMerged.put(spn, m);
            endpointNames.add(spn);
            endpointLists.add(m.endpoints());
        }
        this.services.endBuild();
        this.slices.endBuild();
        this.merged = seenMerged;
        Optional<NodeInfo> nodeInfo = node.flatMap(n -> thisNode(n, hostname, warnings));
        List<Cidr> cidrs = new ArrayList<>();
        for (GenericKubernetesResource o : unique(serviceCidrs, ServiceCidrConverter.KIND, false, warnings)) {
            cidrs.addAll(ServiceCidrConverter.convert(o, warnings));
        }
        return new ClusterSnapshot(SortedArrayMap.ofSorted(portNames, portValues),
                SortedArrayMap.ofSorted(endpointNames, endpointLists), nodeInfo, warnings, cidrs);
    }

    private static boolean sameLists(List<List<Endpoint>> a, List<List<Endpoint>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** One service port's endpoints over its slices, as {@link ClusterSnapshot} keeps them (sorted, distinct). */
    private static List<Endpoint> merge(List<List<Endpoint>> lists) {
        return ClusterSnapshot.sortedEndpoints(EndpointMerger.merge(lists));
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
        return unique(objects, kind, true, warnings);
    }

    /** As {@link #unique(List, String, List)}; a cluster-scoped kind's objects have no namespace. */
    private static <T extends HasMetadata> List<T> unique(List<T> objects, String kind, boolean namespaced,
                                                          List<Warning> warnings) {
        // The keys are read once per object, not once per comparison: a rebuild sorts every object.
        List<Keyed<T>> sorted = new ArrayList<>(objects.size());
        for (T o : objects) {
            ObjectMeta meta = o.getMetadata();
            sorted.add(new Keyed<>(meta == null || !namespaced ? "" : ObjectMetas.namespace(meta),
                    meta == null || meta.getName() == null ? "" : meta.getName(), meta != null && meta.getName() != null, o));
        }
        sorted.sort(Keyed::compareTo);
        List<T> result = new ArrayList<>(sorted.size());
        Keyed<T> previous = null;
        for (Keyed<T> k : sorted) {
            // Equal keys are adjacent once sorted: the first object of a namespace/name is the one used.
            if (k.named() && previous != null && previous.named() && previous.namespace().equals(k.namespace())
                    && previous.name().equals(k.name())) {
                warnings.add(new Warning(kind, Texts.objectName(k.namespace(), k.name()),
                        "metadata.name", "duplicate object; the first one is used"));
                continue;
            }
            previous = k;
            result.add(k.object());
        }
        return result;
    }

    /** An object with its sort key (namespace, name; both "" without metadata). */
    private record Keyed<T>(String namespace, String name, boolean named, T object) {
        int compareTo(Keyed<T> o) {
            int c = namespace.compareTo(o.namespace);
            return c != 0 ? c : name.compareTo(o.name);
        }
    }
}
