package io.svcproxy.cli;

import io.svcproxy.config.ProxyConfig;
import io.svcproxy.health.HealthServer;
import io.svcproxy.health.ProxyHealth;
import io.svcproxy.health.ServiceHealthServers;
import io.svcproxy.metrics.MetricsServer;
import io.svcproxy.metrics.ProxyMetrics;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.reconcile.CompositeSyncObserver;
import io.svcproxy.reconcile.SyncLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the node daemon serves besides the rules: /healthz and /livez, /metrics and /proxyMode, and
 * the health-check node ports, all fed by the sync loop through one composite observer. A server that
 * cannot bind is logged and left out (like kube-proxy, the proxy keeps programming rules).
 */
public final class DaemonEndpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonEndpoints.class);
    private final ProxyHealth health;
    private final ProxyMetrics metrics;
    private final ServiceHealthServers serviceHealth;
    private final List<AutoCloseable> servers;

    private DaemonEndpoints(ProxyHealth health, ProxyMetrics metrics, ServiceHealthServers serviceHealth,
                            List<AutoCloseable> servers) {
        this.health = health;
        this.metrics = metrics;
        this.serviceHealth = serviceHealth;
        this.servers = servers;
    }

    /** Starts the servers and makes {@code loop} report to them. */
    public static DaemonEndpoints start(DaemonEndpointFlags flags, ProxyConfig config, SyncLoop loop,
                                        List<IpFamily> families) {
        var healthAddress = flags.healthz();
        var metricsAddress = flags.metrics();
        Function<ClusterSnapshot, String> hostname = s -> PlannerOptionsFactory.hostname(config, s.node().orElse(null));
        ProxyHealth health = ProxyHealth.forSyncPeriod(config.syncPeriod());
        ProxyMetrics metrics = new ProxyMetrics(Clock.systemUTC(), families, hostname);
        ServiceHealthServers serviceHealth = new ServiceHealthServers(List.of(), health, hostname);
        List<AutoCloseable> servers = new ArrayList<>();
        servers.add(serviceHealth);
        healthAddress.ifPresent(a -> open("healthz", a, servers,
                () -> HealthServer.start(a, health, metrics::healthzServed, metrics::livezServed)));
        metricsAddress.ifPresent(a -> open("metrics", a, servers,
                () -> MetricsServer.start(a, metrics, config.mode())));
        loop.setObserver(CompositeSyncObserver.of(health, metrics, serviceHealth));
        return new DaemonEndpoints(health, metrics, serviceHealth, servers);
    }

    /** For the source: setNodeEligible(false) while the node is being deleted. */
    public ProxyHealth health() {
        return health;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public ServiceHealthServers serviceHealth() {
        return serviceHealth;
    }

    @Override
    public void close() {
        for (AutoCloseable c : servers) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {}: {}", c, e.toString());
            }
        }
    }

    private interface Starter {
        AutoCloseable start() throws IOException;
    }

    private static void open(String what, InetSocketAddress address, List<AutoCloseable> servers, Starter starter) {
        try {
            servers.add(starter.start());
            LOG.info("serving {} on {}", what, address);
        } catch (IOException | RuntimeException e) {
            LOG.error("failed to start the {} server on {}: {}; continuing without it", what, address, e.toString());
        }
    }
}
