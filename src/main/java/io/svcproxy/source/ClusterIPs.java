package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.svcproxy.model.IpFamily;

import java.net.InetAddress;
import java.util.List;

/**
 * spec.clusterIPs (falling back to spec.clusterIP), checked for consistency with spec.clusterIP and
 * spec.ipFamilies: at most one address per family, in the order ipFamilies names them.
 */
final class ClusterIPs {
    private ClusterIPs() {
    }

    static List<InetAddress> of(ServiceSpec spec) {
        List<String> texts = spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty()
                ? java.util.Collections.singletonList(spec.getClusterIP()) : spec.getClusterIPs();
        if (texts.size() > 2) {
            throw new InvalidField("spec.clusterIPs", texts.size() + " entries, at most 2 (one per family)");
        }
        List<InetAddress> ips = FieldParsers.ipList(texts, "spec.clusterIPs", 2);
        if (ips.size() == 2 && IpFamily.of(ips.get(0)) == IpFamily.of(ips.get(1))) {
            throw new InvalidField("spec.clusterIPs", "two addresses of the same family");
        }
        String single = spec.getClusterIP();
        if (single != null && !single.isEmpty() && !single.equals(texts.get(0))) {
            throw new InvalidField("spec.clusterIP", "'" + Texts.quote(single) + "' differs from spec.clusterIPs[0]");
        }
        List<String> families = spec.getIpFamilies();
        if (families != null && !families.isEmpty()) {
            if (families.size() != ips.size()) {
                throw new InvalidField("spec.ipFamilies", families.size() + " families for " + ips.size() + " cluster IPs");
            }
            for (int i = 0; i < ips.size(); i++) {
                IpFamily expected = IpFamily.of(ips.get(i));
                if (!expected.kubernetesName().equals(families.get(i))) {
                    throw new InvalidField("spec.ipFamilies[" + i + "]", "'" + Texts.quote(families.get(i))
                            + "' does not match the family of spec.clusterIPs[" + i + "] (" + expected.kubernetesName() + ")");
                }
            }
        }
        return ips;
    }
}
