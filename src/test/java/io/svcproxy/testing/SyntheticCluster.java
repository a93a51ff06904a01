package io.svcproxy.testing;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Generated clusters of a given size (one TCP port per service, ready endpoints on node "n"). */
public final class SyntheticCluster {
    private SyntheticCluster() {
    }

    /** {@code services} ClusterIP services with {@code endpointsEach} endpoints; {@code nodePorts} adds NodePorts. */
    public static ClusterSnapshot of(int services, int endpointsEach, boolean nodePorts) {
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>();
        Map<ServicePortName, List<Endpoint>> eps = new HashMap<>();
        for (int s = 0; s < services; s++) {
            ServicePortName name = new ServicePortName("ns", "svc" + s, "http", Protocol.TCP);
            svcs.put(name, new ServicePort(name, List.of(Addresses.parseIp("10.96." + (s / 250) + "." + (s % 250 + 1))),
                    80, nodePorts ? 30000 + s : 0, List.of(), List.of(), List.of(), false, false, 0, 0));
            List<Endpoint> list = new ArrayList<>();
            for (int e = 0; e < endpointsEach; e++) {
                int n = s * endpointsEach + e;
                list.add(Endpoint.ready(Addresses.parseIp("10." + (100 + n / 62500) + "." + (n / 250 % 250) + "."
                        + (n % 250 + 1)), 8080, "n"));
            }
            eps.put(name, list);
        }
        return new ClusterSnapshot(svcs, eps, Optional.empty(), List.of());
    }
}
