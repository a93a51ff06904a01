package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.LocalAddresses;
import io.svcproxy.config.GoDuration;
import io.svcproxy.config.PlannerOptionsFactory;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Warning;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.reconcile.PlanFactory;
import io.svcproxy.reconcile.ProxySyncer;
import io.svcproxy.reconcile.SyncLoop;
import io.svcproxy.source.ApiConnection;
import io.svcproxy.source.ApiSnapshotSource;
import io.svcproxy.source.FileSnapshotSource;
import io.svcproxy.source.SnapshotSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The node proxy: keeps this node's rules equal to the desired state until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Program this node's netfilter rules and keep them in sync.",
            "SIGTERM stops the proxy and leaves the rules in place, so traffic keeps flowing."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--cluster", paramLabel = "FILE",
            description = "Cluster file (as for 'plan'); re-read when it changes. With a static Service and "
                    + "EndpointSlice it gives a VIP over the API servers with no API server dependency. "
                    + "Without it, the Kubernetes API is watched.")
    Path cluster;

    @Option(names = "--kubeconfig", paramLabel = "PATH",
            description = "kubeconfig for the Kubernetes API (default: --config's clientConnection.kubeconfig, "
                    + "else the in-cluster configuration). Not with --cluster.")
    String kubeconfig;

    @Option(names = "--master", paramLabel = "URL",
            description = "Kubernetes API server URL (overrides the kubeconfig's). Not with --cluster.")
    String master;

    @Option(names = "--sync-period", paramLabel = "DURATION",
            description = "How often the kernel is read and any drift repaired (Go duration). Default: 30s.")
    String syncPeriod;

    @Option(names = "--min-sync-period", paramLabel = "DURATION",
            description = "Minimum time between syncs; changes in between are coalesced. Default: 1s.")
    String minSyncPeriod;

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend. Default: ${DEFAULT-VALUE} (the one holding the node's rules).")
    String backend;

    @Option(names = "--iptables-batch-services", defaultValue = "250", paramLabel = "N",
            description = "Largest number of new services per iptables-restore in a full sync. "
                    + "Default: ${DEFAULT-VALUE}.")
    int servicesPerBatch;

    @Mixin
    ProxyFlags flags;

    @Override
    public Integer call() {
        List<Warning> warnings = new ArrayList<>();
        ProxyConfig config = withSyncPeriods(flags.proxyConfig(warnings));
        warnings.forEach(w -> LOG.warn("config: {}", w));
        if (cluster != null && (kubeconfig != null || master != null)) {
            throw new IllegalArgumentException("--cluster cannot be combined with --kubeconfig or --master");
        }
        if (servicesPerBatch < 1) {
            throw new IllegalArgumentException("--iptables-batch-services must be at least 1");
        }
        CommandRunner runner = new CommandRunner();
        IptablesBackend chosen = chooseBackend(runner);
        CommandIptablesRestorer restorer = new CommandIptablesRestorer(runner, chosen, 5);
        NodeSetup setup = new NodeSetup(runner);
        setup.sysctls(config);

        List<IptablesSyncer> families = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            if (setup.familyAvailable(restorer, family)) {
                families.add(new IptablesSyncer(family, restorer, setup.nfacct(), servicesPerBatch));
            }
        }
        if (families.isEmpty()) {
            throw new IllegalStateException("neither iptables nor ip6tables works on this node (run as root?)");
        }
        String hostname = config.hostnameOverride().isEmpty() ? null : config.hostnameOverride();
        try (SnapshotSource source = openSource(config, hostname)) {
            boolean liberal = setup.tcpBeLiberal();
            List<InetAddress> localIPs = LocalAddresses.list();
            PlanFactory planner = (snapshot, family) -> IptablesPlanner.plan(snapshot,
                    PlannerOptionsFactory.create(config, family, snapshot.node().orElse(null), localIPs,
                            liberal || flags.conntrackTcpBeLiberal()));
            ProxySyncer syncer = new ProxySyncer(source, planner, families, setup.conntrack(), setup.staleEntries());
            SyncLoop loop = new SyncLoop(syncer, config.minSyncPeriod(), config.syncPeriod(),
                    Duration.ofMillis(Math.min(5000, config.syncPeriod().toMillis())),
                    () -> restorer.chainExists(families.get(0).family(), "mangle", "KUBE-PROXY-CANARY"));
            Signals.onTerminate(() -> {
                LOG.info("stopping; rules stay in place");
                loop.stop();
            });
            source.start(loop::requestSync);
            LOG.info("svcproxy running: {}, backend {}, families {}, sync period {}, min sync period {}",
                    cluster != null ? "cluster file " + cluster : "Kubernetes API", chosen, families.stream().map(f -> f.family().kubernetesName()).toList(),
                    GoDuration.format(config.syncPeriod()), GoDuration.format(config.minSyncPeriod()));
            loop.run();
        }
        return 0;
    }

    /** The cluster file with --cluster, else the Kubernetes API (--kubeconfig, --master, or in-cluster). */
    private SnapshotSource openSource(ProxyConfig config, String hostname) {
        if (cluster != null) {
            return new FileSnapshotSource(cluster, hostname, 500);
        }
        ApiConnection connection = new ApiConnection(kubeconfig != null ? kubeconfig : config.kubeconfig(), master);
        LOG.info("desired state from the Kubernetes API: {}", connection.describe());
        return new ApiSnapshotSource(connection, hostname);
    }

    private ProxyConfig withSyncPeriods(ProxyConfig config) {
        ProxyConfig.Builder b = config.toBuilder();
        if (syncPeriod != null) {
            b.syncPeriod(GoDuration.parse(syncPeriod));
        }
        if (minSyncPeriod != null) {
            b.minSyncPeriod(GoDuration.parse(minSyncPeriod));
        }
        return b.build();
    }

    private IptablesBackend chooseBackend(CommandRunner runner) {
        if (!"auto".equals(backend)) {
            IptablesBackend b = IptablesBackend.parse(backend);
            LOG.info("iptables backend {} (from --iptables-backend)", b);
            return b;
        }
        BackendDetector.Choice choice = new BackendDetector(runner).detect();
        LOG.info("iptables backend {}: {}", choice.backend(), choice.reason());
        return choice.backend();
    }
}
