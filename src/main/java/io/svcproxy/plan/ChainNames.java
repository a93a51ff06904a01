package io.svcproxy.plan;

import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServicePortName;

import java.util.List;

/**
 * kube-proxy's chain names: prefix + the first 16 characters of base32(sha256(name + protocol
 * [+ endpoint])). Using the same strings means a node programmed by kube-proxy is taken over with
 * its per-service chains untouched.
 */
public final class ChainNames {
    public static final String SVC = "KUBE-SVC-";
    public static final String SVL = "KUBE-SVL-";
    public static final String EXT = "KUBE-EXT-";
    public static final String FW = "KUBE-FW-";
    public static final String SEP = "KUBE-SEP-";
    public static final List<String> PREFIXES = List.of(SVC, SVL, EXT, FW, SEP);

    private ChainNames() {
    }

    /** A per-service-port or per-endpoint chain (one of the {@link #PREFIXES}). */
    public static boolean isServiceChain(String chain) {
        return PREFIXES.stream().anyMatch(chain::startsWith);
    }

    public static String clusterPolicy(ServicePortName name) {
        return SVC + portProtoHash(name);
    }

    public static String localPolicy(ServicePortName name) {
        return SVL + portProtoHash(name);
    }

    public static String external(ServicePortName name) {
        return EXT + portProtoHash(name);
    }

    public static String firewall(ServicePortName name) {
        return FW + portProtoHash(name);
    }

    public static String endpoint(ServicePortName name, Endpoint endpoint) {
        return SEP + hash16(name + name.protocol().lower() + endpoint);
    }

    private static String portProtoHash(ServicePortName name) {
        return hash16(name + name.protocol().lower());
    }

    private static String hash16(String input) {
        return NameHashes.base32Sha256(input, 16);
    }
}
