package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointHints;
import io.fabric8.kubernetes.api.model.discovery.v1.ForZone;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated, port-independent part of one slice endpoint; {@link #withPort} makes the model
 * {@link Endpoint} for each slice port.
 */
record EndpointFields(InetAddress ip, boolean ready, boolean serving, boolean terminating, String nodeName,
                      Set<String> zoneHints, Set<String> nodeHints) {
    static final int MAX_HINTS = 100;

    Endpoint withPort(int port) {
        return new Endpoint(ip, port, ready, serving, terminating, nodeName, zoneHints, nodeHints);
    }

    static EndpointFields of(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e, String field, IpFamily family) {
        if (e == null || e.getAddresses() == null || e.getAddresses().isEmpty()) {
            throw new InvalidField(field + ".addresses", "no address");
        }
        // kube-proxy uses only the first address; the API says the others are interchangeable.
        InetAddress ip = FieldParsers.ip(e.getAddresses().get(0), field + ".addresses[0]");
        if (IpFamily.of(ip) != family) {
            throw new InvalidField(field + ".addresses[0]", "address " + e.getAddresses().get(0)
                    + " is not " + family.kubernetesName() + " as the slice's addressType says");
        }
        EndpointConditions c = e.getConditions() == null ? new EndpointConditions() : e.getConditions();
        boolean ready = c.getReady() == null || c.getReady();
        boolean serving = c.getServing() == null || c.getServing();
        boolean terminating = c.getTerminating() != null && c.getTerminating();
        String nodeName = e.getNodeName() == null ? "" : e.getNodeName();
        if (!nodeName.isEmpty() && !KubernetesNames.isDns1123Subdomain(nodeName)) {
            throw new InvalidField(field + ".nodeName", "invalid node name '" + Texts.quote(nodeName) + "'");
        }
        return new EndpointFields(ip, ready, serving, terminating, nodeName,
                zoneHints(e.getHints(), field + ".hints.forZones"), nodeHints(e.getHints(), field + ".hints.forNodes"));
    }

    private static Set<String> zoneHints(EndpointHints hints, String field) {
        if (hints == null || hints.getForZones() == null) {
            return Set.of();
        }
        List<ForZone> zones = hints.getForZones();
        if (zones.size() > MAX_HINTS) {
            throw new InvalidField(field, zones.size() + " entries, more than " + MAX_HINTS);
        }
        Set<String> result = new LinkedHashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            String name = zones.get(i) == null ? null : zones.get(i).getName();
            // Zone names are label values (topology.kubernetes.io/zone).
            if (name == null || name.isEmpty() || !KubernetesNames.isLabelValue(name)) {
                throw new InvalidField(field + "[" + i + "].name", "invalid zone '" + Texts.quote(name) + "'");
            }
            result.add(name);
        }
        return result;
    }

    /**
     * hints.forNodes (Kubernetes 1.33+). fabric8 6.13 has no field for it, so Jackson leaves it in
     * additionalProperties as a list of maps; we read it from there.
     */
    private static Set<String> nodeHints(EndpointHints hints, String field) {
        if (hints == null || hints.getAdditionalProperties() == null) {
            return Set.of();
        }
        Object raw = hints.getAdditionalProperties().get("forNodes");
        if (raw == null) {
            return Set.of();
        }
        if (!(raw instanceof List<?> list)) {
            throw new InvalidField(field, "not a list");
        }
        if (list.size() > MAX_HINTS) {
            throw new InvalidField(field, list.size() + " entries, more than " + MAX_HINTS);
        }
        Set<String> result = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Object name = list.get(i) instanceof Map<?, ?> m ? m.get("name") : null;
            if (!(name instanceof String s) || !KubernetesNames.isDns1123Subdomain(s)) {
                throw new InvalidField(field + "[" + i + "].name", "invalid node name '"
                        + Texts.quote(name == null ? null : name.toString()) + "'");
            }
            result.add(s);
        }
        return result;
    }
}
