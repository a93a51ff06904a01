package io.svcproxy.it;

import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.ClusterFile.Ep;
import io.svcproxy.testing.topology.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A random cluster for the explain checks, from a seed: a few TCP or UDP services of random kind
 * (ClusterIP, NodePort, LoadBalancer with or without source ranges, externalTrafficPolicy Local or
 * not, ClientIP affinity or not) over random subsets of the topology's backends (none too: a REJECT
 * or a DROP), and the packets to send to each (a pod, sometimes the node itself, to the cluster IP;
 * the external host to the node port and the load-balancer IP, from inside or outside the source
 * range), and one to a cluster IP no service has.
 */
final class RandomServices {
    /** Who sends: the client pod, the external host (bound to the source), the node itself. */
    enum From { POD, EXTERNAL, NODE }

    /** One packet to explain and send. */
    record Packet(String service, From from, String source, String destination, int port, boolean udp,
                  boolean affinity) {
    }

    private final List<String> documents = new ArrayList<>();
    private final List<Packet> packets = new ArrayList<>();

    RandomServices(long seed, Topology topology, List<String> backends) {
        Random random = new Random(seed);
        documents.add(ClusterFile.node());
        int count = 4;
        for (int i = 0; i < count; i++) {
            String name = "s" + i;
            String vip = "10.96.7." + (10 + i);
            String lbIp = "203.0.113." + (70 + i);
            int nodePort = 30700 + i;
            int kind = random.nextInt(3);   // 0 ClusterIP, 1 NodePort, 2 LoadBalancer
            boolean local = kind > 0 && random.nextInt(3) == 0;
            boolean ranges = kind == 2 && random.nextBoolean();
            boolean udp = random.nextInt(3) == 0;
            boolean affinity = random.nextInt(4) == 0;
            int port = udp ? 53 : 80;
            // 0..3 endpoints (none a quarter of the time: a REJECT, or a DROP for external traffic)
            List<String> chosen = new ArrayList<>(backends);
            java.util.Collections.shuffle(chosen, random);
            List<Ep> eps = new ArrayList<>();
            for (String b : chosen.subList(0, random.nextInt(4))) {
                String ip = topology.backend(b).ip();
                eps.add(b.equals("r") ? Ep.on("node-b", ip) : Ep.local(ip));
            }
            StringBuilder svc = new StringBuilder("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: %s, namespace: explain}
                    spec:
                      type: %s
                      clusterIP: %s
                    """.formatted(name, kind == 0 ? "ClusterIP" : kind == 1 ? "NodePort" : "LoadBalancer", vip));
            if (local) {
                svc.append("  externalTrafficPolicy: Local\n  healthCheckNodePort: ").append(32700 + i).append('\n');
            }
            if (affinity) {
                svc.append("  sessionAffinity: ClientIP\n");
            }
            if (ranges) {
                svc.append("  loadBalancerSourceRanges: [").append(Topology.EXTERNAL_IP).append("/32]\n");
            }
            svc.append("  ports:\n  - {name: p, port: ").append(port).append(", protocol: ").append(udp ? "UDP" : "TCP")
                    .append(kind > 0 ? ", nodePort: " + nodePort : "").append("}\n");
            if (kind == 2) {
                svc.append("status:\n  loadBalancer:\n    ingress: [{ip: ").append(lbIp).append("}]\n");
            }
            documents.add(svc.toString());
            documents.add(ClusterFile.slice("explain", name, List.of(udp ? "p:8081/UDP" : "p:8080/TCP"), eps));
            packets.add(new Packet(name, From.POD, Topology.CLIENT_IP, vip, port, udp, affinity));
            if (random.nextBoolean()) {
                packets.add(new Packet(name, From.NODE, Topology.NODE_IP, vip, port, udp, affinity));
            }
            if (kind > 0) {
                packets.add(new Packet(name, From.EXTERNAL, Topology.EXTERNAL_IP, Topology.NODE_IP, nodePort, udp,
                        affinity));
            }
            if (kind == 2) {
                // the UDP probe cannot bind a source: it always leaves from the external host's first address
                String from = udp || random.nextBoolean() ? Topology.EXTERNAL_IP : Topology.EXTERNAL_IP_2;
                packets.add(new Packet(name, From.EXTERNAL, from, lbIp, port, udp, affinity));
            }
        }
        packets.add(new Packet("none", From.POD, Topology.CLIENT_IP, UNUSED_VIP, 80, false, false));
    }

    /** A cluster IP no service has: the packet is not a service's. */
    static final String UNUSED_VIP = "10.96.7.99";

    String yaml() {
        return ClusterFile.documents(documents.toArray(String[]::new));
    }

    List<Packet> packets() {
        return packets;
    }
}
