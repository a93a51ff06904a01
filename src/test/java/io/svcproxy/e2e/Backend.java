package io.svcproxy.e2e;

import java.util.List;
import java.util.Map;

/**
 * A backend pod for {@link E2eCluster#deploy}: its name (what it answers with), labels (what Service
 * selectors match), the node it runs on and the container ports it serves.
 */
public record Backend(String name, String node, Map<String, String> labels, List<Port> ports) {
    public Backend {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("a backend serves at least one port");
        }
    }

    /** A named container port; a Service's targetPort may name it. */
    public record Port(String name, Protocol protocol, int port) {
    }
}
