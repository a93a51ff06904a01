package io.svcproxy.testing.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A scenario's cluster snapshot (Services, EndpointSlices, this node's Node) as the YAML file
 * svcproxy reads, rewritten atomically (temp file in the same directory, then rename), so a reader
 * polling the file never sees half of it.
 */
public final class ClusterFile {
    private final Path path;

    public ClusterFile(Path dir) {
        this.path = dir.resolve("cluster.yaml");
    }

    public Path path() {
        return path;
    }

    public ClusterFile write(String yaml) {
        try {
            Path tmp = Files.createTempFile(path.getParent(), ".cluster-", ".tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read() {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An endpoint as an EndpointSlice lists it. */
    public record Ep(String ip, String node, boolean ready) {
        public static Ep local(String ip) {
            return new Ep(ip, Topology.NODE_NAME, true);
        }

        public static Ep on(String node, String ip) {
            return new Ep(ip, node, true);
        }
    }

    /** The Node object for the topology's node. */
    public static String node() {
        return """
                apiVersion: v1
                kind: Node
                metadata: {name: %s}
                status: {addresses: [{type: InternalIP, address: %s}]}
                """.formatted(Topology.NODE_NAME, Topology.NODE_IP);
    }

    /**
     * An EndpointSlice for service ns/svc, with ports given as "name:port/PROTO" (e.g. "tcp:8080/TCP"),
     * holding the endpoints (may be empty).
     */
    public static String slice(String ns, String svc, List<String> ports, List<Ep> endpoints) {
        String portsYaml = ports.stream().map(p -> {
            String[] a = p.split("[:/]");
            return "- {name: " + a[0] + ", port: " + a[1] + ", protocol: " + a[2] + "}";
        }).collect(Collectors.joining("\n"));
        List<String> eps = new ArrayList<>();
        for (Ep e : endpoints) {
            eps.add("- {addresses: [" + e.ip() + "], nodeName: " + e.node() + ", conditions: {ready: " + e.ready()
                    + ", serving: " + e.ready() + ", terminating: false}}");
        }
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: %s, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports:
                %s
                endpoints:%s
                """.formatted(svc, ns, svc, portsYaml, eps.isEmpty() ? " []" : "\n" + String.join("\n", eps));
    }

    /** Joins YAML documents into one multi-document file. */
    public static String documents(String... docs) {
        return String.join("---\n", docs);
    }
}
