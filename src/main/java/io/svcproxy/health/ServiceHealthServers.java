package io.svcproxy.health;

import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.httpd.EndpointServer;
import io.svcproxy.httpd.EndpointServer.Response;
import io.svcproxy.json.JsonStrings;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.ServiceName;
import io.svcproxy.plan.HealthCheckPorts;
import io.svcproxy.reconcile.SyncObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The health-check node ports of LoadBalancer services with externalTrafficPolicy Local: one HTTP
 * server per port, on each of the node's addresses (by default the wildcard address), answering any
 * path like kube-proxy: 200 when the service has local ready endpoints and the proxy is healthy, else
 * 503, with {@code {"service":{...},"localEndpoints":N,"serviceProxyHealthy":bool}}. Reconciled after
 * each successful sync: servers open and close as services come and go, counts follow the endpoints.
 * A port that cannot be bound is logged and retried on the next sync.
 */
public final class ServiceHealthServers implements SyncObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHealthServers.class);

    private final List<InetAddress> bindAddresses;
    private final ProxyHealth health;
    private final Function<ClusterSnapshot, String> hostname;
    private final Map<Integer, Instance> open = new TreeMap<>();
    private final Map<Integer, HealthCheckPorts.Entry> current = new ConcurrentHashMap<>();

    private record Instance(ServiceName service, List<EndpointServer> servers) {
    }

    /**
     * @param bindAddresses where each port listens; empty means the wildcard address (all of the node's)
     * @param hostname      this node's name for a snapshot (endpoints with that nodeName are local)
     */
    public ServiceHealthServers(List<InetAddress> bindAddresses, ProxyHealth health,
                                Function<ClusterSnapshot, String> hostname) {
        this.bindAddresses = List.copyOf(bindAddresses);
        this.health = health;
        this.hostname = hostname;
    }

    @Override
    public void syncSucceeded(SyncReport report) {
        try {
            reconcile(report.snapshot());
        } catch (RuntimeException e) {
            LOG.warn("health-check node ports not updated: {}", e.toString());
        }
    }

    /** Opens, closes and updates the servers for {@code snapshot}. */
    public synchronized void reconcile(ClusterSnapshot snapshot) {
        SortedMap<Integer, HealthCheckPorts.Entry> wanted = HealthCheckPorts.of(snapshot, hostname.apply(snapshot));
        current.keySet().retainAll(wanted.keySet());
        current.putAll(wanted);
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            HealthCheckPorts.Entry w = wanted.get(e.getKey());
            if (w == null || !w.service().equals(e.getValue().service())) {
                LOG.info("closing health-check node port {} of {}", e.getKey(), e.getValue().service());
                e.getValue().servers().forEach(EndpointServer::close);
                it.remove();
            }
        }
        wanted.forEach((port, entry) -> {
            if (!open.containsKey(port)) {
                openPort(port, entry.service());
            }
        });
    }

    /** The ports being served, to the service each serves. */
    public synchronized Map<Integer, ServiceName> ports() {
        Map<Integer, ServiceName> ports = new TreeMap<>();
        open.forEach((port, instance) -> ports.put(port, instance.service()));
        return ports;
    }

    /** The bound addresses of one port (the actual ones; for tests). */
    public synchronized List<InetSocketAddress> addresses(int port) {
        Instance i = open.get(port);
        return i == null ? List.of() : i.servers().stream().map(EndpointServer::address).toList();
    }

    @Override
    public synchronized void close() {
        open.values().forEach(i -> i.servers().forEach(EndpointServer::close));
        open.clear();
        current.clear();
    }

    private void openPort(int port, ServiceName service) {
        List<InetAddress> addresses = bindAddresses.isEmpty() ? List.of(wildcard()) : bindAddresses;
        List<EndpointServer> servers = new ArrayList<>();
        try {
            for (InetAddress address : addresses) {
                servers.add(EndpointServer.startAnyPath("healthcheck-" + port, new InetSocketAddress(address, port),
                        () -> answer(port)));
            }
        } catch (IOException e) {
            servers.forEach(EndpointServer::close);
            LOG.error("node failed to start health-check node port {} of {}: {}", port, service, e.toString());
            return;
        }
        LOG.info("opened health-check node port {} of {} on {}", port, service, addresses);
        open.put(port, new Instance(service, servers));
    }

    private Response answer(int port) {
        HealthCheckPorts.Entry entry = current.get(port);
        if (entry == null) {
            return Response.text(503, "service gone\n");
        }
        boolean proxyHealthy = health.isHealthy();
        int code = entry.localEndpoints() > 0 && proxyHealthy ? 200 : 503;
        return Response.json(code, body(entry, proxyHealthy));
    }

    /** kube-proxy's body, with its indentation. */
    static String body(HealthCheckPorts.Entry entry, boolean proxyHealthy) {
        return "{\n\t\"service\": {\n\t\t\"namespace\": " + JsonStrings.quote(entry.service().namespace())
                + ",\n\t\t\"name\": " + JsonStrings.quote(entry.service().name())
                + "\n\t},\n\t\"localEndpoints\": " + entry.localEndpoints()
                + ",\n\t\"serviceProxyHealthy\": " + proxyHealthy + "\n}";
    }

    private static InetAddress wildcard() {
        return new InetSocketAddress(0).getAddress();
    }
}
