package io.svcproxy.health;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.NodeInfo;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Small snapshots for the health and metrics tests. */
public final class TestSnapshots {
    public static final String NODE = "node-a";

    private TestSnapshots() {
    }

    public static ServicePortName name(String ns, String svc, String port) {
        return new ServicePortName(ns, svc, port, Protocol.TCP);
    }

    /** A LoadBalancer port with externalTrafficPolicy Local and the given health-check node port. */
    public static ServicePort localLb(ServicePortName name, String clusterIP, int port, int nodePort, int hcPort) {
        return new ServicePort(name, List.of(Addresses.parseIp(clusterIP)), port, nodePort, List.of(),
                List.of(Addresses.parseIp("192.0.2.10")), List.of(), true, false, 0, hcPort);
    }

    public static Endpoint ready(String ip, int port, String node) {
        return Endpoint.ready(Addresses.parseIp(ip), port, node);
    }

    public static Endpoint notReady(String ip, int port, String node) {
        return new Endpoint(Addresses.parseIp(ip), port, false, false, false, node, java.util.Set.of(),
                java.util.Set.of());
    }

    /** Builder-ish: services with their endpoints, this node not deleting. */
    public static ClusterSnapshot snapshot(Map<ServicePort, List<Endpoint>> ports) {
        return snapshot(ports, false);
    }

    public static ClusterSnapshot snapshot(Map<ServicePort, List<Endpoint>> ports, boolean nodeDeleting) {
        TreeMap<ServicePortName, ServicePort> services = new TreeMap<>();
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        ports.forEach((sp, eps) -> {
            services.put(sp.name(), sp);
            endpoints.put(sp.name(), eps);
        });
        NodeInfo node = new NodeInfo(NODE, Map.of(), List.of(Addresses.parseIp("192.0.2.1")), List.of(), nodeDeleting);
        return new ClusterSnapshot(services, endpoints, Optional.of(node), List.of());
    }
}
