package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.Warning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts one v1 Service into its {@link ServicePort}s with kube-proxy's semantics.
 * Headless, ExternalName and other-proxy services are skipped quietly (debug log). A Service with
 * any bad field is skipped whole with exactly one warning: a half-converted service (say, one port
 * missing) would silently route differently from what the user wrote.
 */
public final class ServiceConverter {
    public static final String PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    static final int MAX_PORTS = 1000;
    static final int MAX_EXTERNAL_IPS = 100;
    static final int MAX_SOURCE_RANGES = 1000;
    static final int MAX_LB_INGRESS = 100;
    static final int DEFAULT_AFFINITY_TIMEOUT = 10800;
    static final int MAX_AFFINITY_TIMEOUT = 86400;

    private static final Logger LOG = LoggerFactory.getLogger(ServiceConverter.class);

    private ServiceConverter() {
    }

    /** The service's ports (empty when skipped); a warning is appended when the service is invalid. */
    public static List<ServicePort> convert(Service service, List<Warning> warnings) {
        ObjectMeta meta = service.getMetadata() == null ? new ObjectMeta() : service.getMetadata();
        String namespace = ObjectMetas.namespace(meta);
        String object = Texts.objectName(namespace, meta.getName());
        try {
            return convert(service, meta, namespace, object);
        } catch (InvalidField e) {
            warnings.add(new Warning("Service", object, e.field(), e.getMessage()));
            return List.of();
        }
    }

    private static List<ServicePort> convert(Service service, ObjectMeta meta, String namespace, String object) {
        ObjectMetas.check(meta, true, true);
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            throw new InvalidField("spec", "missing");
        }
        if (meta.getLabels() != null && meta.getLabels().containsKey(PROXY_NAME_LABEL)) {
            LOG.debug("Service {} skipped: labelled {} (another proxy serves it)", object, PROXY_NAME_LABEL);
            return List.of();
        }
        ServiceType type = ServiceType.parse(spec.getType());
        if (type == ServiceType.EXTERNAL_NAME) {
            LOG.debug("Service {} skipped: type ExternalName", object);
            return List.of();
        }
        if (isHeadless(spec)) {
            LOG.debug("Service {} skipped: headless", object);
            return List.of();
        }
        List<InetAddress> clusterIPs = ClusterIPs.of(spec);
        boolean lb = type == ServiceType.LOAD_BALANCER;
        List<InetAddress> externalIPs = FieldParsers.ipList(spec.getExternalIPs(), "spec.externalIPs", MAX_EXTERNAL_IPS);
        List<InetAddress> lbIPs = lb ? loadBalancerIPs(service) : List.of();
        List<Cidr> sourceRanges = lb ? sourceRanges(spec.getLoadBalancerSourceRanges()) : List.of();
        String etp = policy(spec.getExternalTrafficPolicy(), "spec.externalTrafficPolicy");
        String itp = policy(spec.getInternalTrafficPolicy(), "spec.internalTrafficPolicy");
        boolean externalLocal = "Local".equals(etp) && type.hasNodePorts();
        int affinity = affinityTimeout(spec);
        int healthCheckNodePort = lb && externalLocal
                ? FieldParsers.optionalPort(spec.getHealthCheckNodePort(), "spec.healthCheckNodePort") : 0;

        List<io.fabric8.kubernetes.api.model.ServicePort> ports = spec.getPorts();
        if (ports == null || ports.isEmpty()) {
            throw new InvalidField("spec.ports", "a service needs at least one port");
        }
        if (ports.size() > MAX_PORTS) {
            throw new InvalidField("spec.ports", ports.size() + " ports, more than " + MAX_PORTS);
        }
        List<ServicePort> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> portProtocols = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            io.fabric8.kubernetes.api.model.ServicePort p = ports.get(i);
            String field = "spec.ports[" + i + "]";
            String name = p.getName() == null ? "" : p.getName();
            if (name.isEmpty() && ports.size() > 1) {
                throw new InvalidField(field + ".name", "must be set when the service has more than one port");
            }
            if (!name.isEmpty() && !KubernetesNames.isDns1123Label(name)) {
                throw new InvalidField(field + ".name", "invalid port name '" + Texts.quote(name) + "'");
            }
            if (!names.add(name)) {
                throw new InvalidField(field + ".name", "duplicate port name '" + name + "'");
            }
            Protocol protocol = FieldParsers.protocol(p.getProtocol(), field + ".protocol");
            int port = FieldParsers.requiredPort(p.getPort(), field + ".port");
            if (!portProtocols.add(port + "/" + protocol)) {
                throw new InvalidField(field, "duplicate port " + port + "/" + protocol);
            }
            int nodePort = FieldParsers.optionalPort(p.getNodePort(), field + ".nodePort");
            ServicePortName spn = new ServicePortName(namespace, meta.getName(), name, protocol);
            try {
                result.add(new ServicePort(spn, clusterIPs, port, type.hasNodePorts() ? nodePort : 0,
                        externalIPs, lbIPs, sourceRanges, externalLocal, "Local".equals(itp), affinity,
                        healthCheckNodePort));
            } catch (IllegalArgumentException e) {
                throw new InvalidField(field, Texts.oneLine(e.getMessage()));
            }
        }
        return result;
    }

    /** clusterIP "None" (or none at all) means headless: DNS only, nothing to proxy. */
    private static boolean isHeadless(ServiceSpec spec) {
        String ip = spec.getClusterIP();
        List<String> ips = spec.getClusterIPs();
        boolean noIps = ips == null || ips.isEmpty();
        return "None".equals(ip) || (noIps && (ip == null || ip.isEmpty())) || (!noIps && "None".equals(ips.get(0)));
    }

    /** status.loadBalancer.ingress[].ip, without ipMode Proxy (the LB proxies; no short-circuit) and hostname-only entries. */
    private static List<InetAddress> loadBalancerIPs(Service service) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<LoadBalancerIngress> ingress = service.getStatus().getLoadBalancer().getIngress();
        if (ingress.size() > MAX_LB_INGRESS) {
            throw new InvalidField("status.loadBalancer.ingress", ingress.size() + " entries, more than " + MAX_LB_INGRESS);
        }
        List<InetAddress> result = new ArrayList<>();
        for (int i = 0; i < ingress.size(); i++) {
            LoadBalancerIngress in = ingress.get(i);
            if (in == null || in.getIp() == null || in.getIp().isEmpty() || "Proxy".equals(in.getIpMode())) {
                continue;
            }
            result.add(FieldParsers.ip(in.getIp(), "status.loadBalancer.ingress[" + i + "].ip"));
        }
        return result;
    }

    private static List<Cidr> sourceRanges(List<String> ranges) {
        if (ranges == null) {
            return List.of();
        }
        if (ranges.size() > MAX_SOURCE_RANGES) {
            throw new InvalidField("spec.loadBalancerSourceRanges", ranges.size() + " entries, more than " + MAX_SOURCE_RANGES);
        }
        List<Cidr> result = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            String text = ranges.get(i) == null ? "" : ranges.get(i).trim();
            try {
                result.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw new InvalidField("spec.loadBalancerSourceRanges[" + i + "]",
                        "invalid CIDR '" + Texts.quote(text) + "'");
            }
        }
        return result;
    }

    private static String policy(String value, String field) {
        if (value == null || value.isEmpty() || value.equals("Cluster")) {
            return "Cluster";
        }
        if (value.equals("Local")) {
            return "Local";
        }
        throw new InvalidField(field, "unknown policy '" + Texts.quote(value) + "' (expected Cluster or Local)");
    }

    private static int affinityTimeout(ServiceSpec spec) {
        String affinity = spec.getSessionAffinity();
        if (affinity == null || affinity.isEmpty() || affinity.equals("None")) {
            return 0;
        }
        if (!affinity.equals("ClientIP")) {
            throw new InvalidField("spec.sessionAffinity", "unknown affinity '" + Texts.quote(affinity) + "' (expected None or ClientIP)");
        }
        Integer timeout = null;
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null) {
            timeout = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
        if (timeout == null) {
            return DEFAULT_AFFINITY_TIMEOUT;
        }
        if (timeout < 1 || timeout > MAX_AFFINITY_TIMEOUT) {
            throw new InvalidField("spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    timeout + " out of range 1.." + MAX_AFFINITY_TIMEOUT);
        }
        return timeout;
    }

    /** The four service types; only NodePort and LoadBalancer open node ports. */
    private enum ServiceType {
        CLUSTER_IP, NODE_PORT, LOAD_BALANCER, EXTERNAL_NAME;

        static ServiceType parse(String type) {
            if (type == null || type.isEmpty()) {
                return CLUSTER_IP;
            }
            Map<String, ServiceType> byName = Map.of("ClusterIP", CLUSTER_IP, "NodePort", NODE_PORT,
                    "LoadBalancer", LOAD_BALANCER, "ExternalName", EXTERNAL_NAME);
            ServiceType t = byName.get(type);
            if (t == null) {
                throw new InvalidField("spec.type", "unknown service type '" + Texts.quote(type) + "'");
            }
            return t;
        }

        boolean hasNodePorts() {
            return this == NODE_PORT || this == LOAD_BALANCER;
        }
    }
}
