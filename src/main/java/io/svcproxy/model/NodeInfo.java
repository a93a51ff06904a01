package io.svcproxy.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The node this proxy runs on.
 *
 * @param addresses status.addresses (InternalIP first, then ExternalIP), the node's primary IPs
 * @param podCidrs  spec.podCIDRs, for --detect-local-mode NodeCIDR
 * @param deleting  metadata.deletionTimestamp is set
 */
public record NodeInfo(String name, Map<String, String> labels, List<InetAddress> addresses,
                       List<Cidr> podCidrs, boolean deleting) {

    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    public NodeInfo {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        addresses = List.copyOf(addresses);
        podCidrs = List.copyOf(podCidrs);
    }

    public String zone() {
        return labels.getOrDefault(ZONE_LABEL, "");
    }

    public InetAddress primaryAddress(IpFamily family) {
        return addresses.stream().filter(a -> IpFamily.of(a) == family).findFirst().orElse(null);
    }
}
