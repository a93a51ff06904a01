package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts one discovery/v1 EndpointSlice into endpoints keyed by the service port they serve
 * (namespace, kubernetes.io/service-name label, slice port name, protocol).
 * A bad slice-level field (name, labels, service label, address type, sizes) drops the whole slice
 * with one warning; a bad port or a bad endpoint drops only that entry, with a warning naming it,
 * because the other backends of the slice are still correct.
 */
public final class EndpointSliceConverter {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final int MAX_ENDPOINTS = 10000;
    static final int MAX_PORTS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(EndpointSliceConverter.class);

    private EndpointSliceConverter() {
    }

    public static Map<ServicePortName, List<Endpoint>> convert(EndpointSlice slice, List<Warning> warnings) {
        ObjectMeta meta = slice.getMetadata() == null ? new ObjectMeta() : slice.getMetadata();
        String namespace = ObjectMetas.namespace(meta);
        String object = Texts.objectName(namespace, meta.getName());
        try {
            return convert(slice, meta, namespace, object, warnings);
        } catch (InvalidField e) {
            warnings.add(new Warning("EndpointSlice", object, e.field(), e.getMessage()));
            return Map.of();
        }
    }

    private static Map<ServicePortName, List<Endpoint>> convert(EndpointSlice slice, ObjectMeta meta, String namespace,
                                                              String object, List<Warning> warnings) {
        ObjectMetas.check(meta, false, true);
        String service = meta.getLabels() == null ? null : meta.getLabels().get(SERVICE_NAME_LABEL);
        if (service == null || service.isEmpty()) {
            throw new InvalidField("metadata.labels[" + SERVICE_NAME_LABEL + "]", "missing: the slice names no service");
        }
        if (!KubernetesNames.isDns1035Label(service)) {
            throw new InvalidField("metadata.labels[" + SERVICE_NAME_LABEL + "]", "invalid service name '" + Texts.quote(service) + "'");
        }
        String addressType = slice.getAddressType();
        if ("FQDN".equals(addressType)) {
            LOG.debug("EndpointSlice {} skipped: addressType FQDN", object);
            return Map.of();
        }
        IpFamily family;
        if ("IPv4".equals(addressType)) {
            family = IpFamily.V4;
        } else if ("IPv6".equals(addressType)) {
            family = IpFamily.V6;
        } else {
            throw new InvalidField("addressType", "unknown address type '" + Texts.quote(addressType) + "' (expected IPv4, IPv6 or FQDN)");
        }
        List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
        if (ports.size() > MAX_PORTS) {
            throw new InvalidField("ports", ports.size() + " ports, more than " + MAX_PORTS);
        }
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> endpoints =
                slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw new InvalidField("endpoints", endpoints.size() + " endpoints, more than " + MAX_ENDPOINTS);
        }

        Map<ServicePortName, Integer> portNumbers = new LinkedHashMap<>();
        for (int i = 0; i < ports.size(); i++) {
            try {
                portEntry(ports.get(i), "ports[" + i + "]", namespace, service, object)
                        .ifPresent(e -> portNumbers.putIfAbsent(e.getKey(), e.getValue()));
            } catch (InvalidField e) {
                warnings.add(new Warning("EndpointSlice", object, e.field(), e.getMessage()));
            }
        }
        List<EndpointFields> valid = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            try {
                valid.add(EndpointFields.of(endpoints.get(i), "endpoints[" + i + "]", family));
            } catch (InvalidField e) {
                warnings.add(new Warning("EndpointSlice", object, e.field(), e.getMessage()));
            }
        }
        Map<ServicePortName, List<Endpoint>> result = new LinkedHashMap<>();
        portNumbers.forEach((spn, port) -> result.put(spn, valid.stream().map(e -> e.withPort(port)).toList()));
        return result;
    }

    /** One slice port as (service port name, port number); empty when the port number is unset. */
    private static Optional<Map.Entry<ServicePortName, Integer>> portEntry(
            EndpointPort p, String field, String namespace, String service, String object) {
        if (p == null || p.getPort() == null) {
            LOG.debug("EndpointSlice {} {}: no port number, skipped", object, field);
            return Optional.empty();
        }
        String name = p.getName() == null ? "" : p.getName();
        if (!name.isEmpty() && !KubernetesNames.isDns1123Label(name)) {
            throw new InvalidField(field + ".name", "invalid port name '" + Texts.quote(name) + "'");
        }
        Protocol protocol = FieldParsers.protocol(p.getProtocol(), field + ".protocol");
        int port = FieldParsers.requiredPort(p.getPort(), field + ".port");
        return Optional.of(Map.entry(new ServicePortName(namespace, service, name, protocol), port));
    }
}
