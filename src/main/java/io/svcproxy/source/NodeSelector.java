package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.Node;

import java.util.List;
import java.util.Optional;

/** Picks this proxy's Node out of a file: the one named like the hostname, or the only one. */
final class NodeSelector {
    private NodeSelector() {
    }

    static Optional<Node> select(List<Node> nodes, String hostname) {
        if (hostname == null || hostname.isEmpty()) {
            return nodes.size() == 1 ? Optional.of(nodes.get(0)) : Optional.empty();
        }
        return nodes.stream()
                .filter(n -> n.getMetadata() != null && hostname.equals(n.getMetadata().getName()))
                .findFirst();
    }
}
