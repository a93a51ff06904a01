package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.model.Warning;

import java.util.List;

/** The objects of the kinds we use, as read from a file, plus warnings about unreadable ones. */
record ParsedObjects(List<Service> services, List<EndpointSlice> slices, List<Node> nodes,
                     List<GenericKubernetesResource> serviceCidrs, List<Warning> warnings) {
    ParsedObjects {
        serviceCidrs = List.copyOf(serviceCidrs);
        services = List.copyOf(services);
        slices = List.copyOf(slices);
        nodes = List.copyOf(nodes);
        warnings = List.copyOf(warnings);
    }
}
