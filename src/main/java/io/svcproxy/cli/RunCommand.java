package io.svcproxy.cli;

import io.svcproxy.config.GoDuration;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.model.Warning;
import io.svcproxy.reconcile.SyncLoop;
import io.svcproxy.reconcile.SyncObserver;
import io.svcproxy.source.ApiConnection;
import io.svcproxy.source.ApiSnapshotSource;
import io.svcproxy.source.FileSnapshotSource;
import io.svcproxy.source.NodeEvents;
import io.svcproxy.source.SnapshotSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** The node proxy: keeps this node's rules equal to the desired state until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Program this node's netfilter rules and keep them in sync.",
            "SIGTERM stops the proxy and leaves the rules in place, so traffic keeps flowing."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

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

    @Option(names = {"--sync-period", "--iptables-sync-period"}, paramLabel = "DURATION",
            description = "How often the kernel is read and any drift repaired (Go duration). Default: 30s.")
    String syncPeriod;

    @Option(names = {"--min-sync-period", "--iptables-min-sync-period"}, paramLabel = "DURATION",
            description = "Minimum time between syncs; changes in between are coalesced. Default: 1s.")
    String minSyncPeriod;

    @Option(names = "--dry-run", description = "Plan and log the diffs continuously; apply nothing.")
    boolean dryRun;

    @Option(names = "--cleanup", description = "Remove our rules and exit (as 'svcproxy cleanup').")
    boolean cleanup;

    @Option(names = "--proxy-mode", paramLabel = "iptables|ipvs|nftables",
            description = "Proxy mode: iptables, ipvs or nftables (kube-proxy's; nftables programs nf_tables through netlink). "
                    + "Default: --config's mode, else iptables.")
    String proxyMode;

    @Option(names = "--oom-score-adj", paramLabel = "-1000..1000",
            description = "OOM score adjustment for this process. Default: -999 (or --config's oomScoreAdj).")
    Integer oomScoreAdj;

    @Option(names = "--logging-format", defaultValue = "text", paramLabel = "text|json",
            description = "Log format on stderr. Default: ${DEFAULT-VALUE}.")
    String loggingFormat;

    @Mixin
    ProxyFlags flags;

    @Mixin
    NodeSetup setup;

    @Mixin
    DaemonEndpointFlags endpointFlags;

    @Mixin
    IpvsFlags ipvsFlags;

    @Mixin
    IptablesFlags iptablesFlags;

    @Override
    public Integer call() {
        LoggingFormat.apply(loggingFormat);
        if (cleanup) {
            CleanupCommand c = new CleanupCommand();
            c.backend = iptablesFlags.backend;
            c.spec = spec;
            return c.call();
        }
        List<Warning> warnings = new ArrayList<>();
        ProxyConfig config = withSyncPeriods(flags.proxyConfig(warnings));
        warnings.forEach(w -> LOG.warn("config: {}", w));
        if (cluster != null && (kubeconfig != null || master != null)) {
            throw new IllegalArgumentException("--cluster cannot be combined with --kubeconfig or --master");
        }
        ProxyModeWiring mode = Dataplanes.of(config.mode());
        endpointFlags.resolve(config);
        endpointFlags.validate();
        iptablesFlags.validate();
        setup.sysctls(config);
        OomScore.apply(oomScoreAdj != null ? oomScoreAdj : config.oomScoreAdj());
        if (dryRun) {
            LOG.info("dry run: planning and logging diffs only; nothing is written to this node");
        }
        boolean liberal = setup.sysctls(config).tcpBeLiberal() || flags.conntrackTcpBeLiberal();
        DaemonContext context = DaemonContext.of(config, setup, iptablesFlags, dryRun, liberal);
        String hostname = config.hostnameOverride().isEmpty() ? null : config.hostnameOverride();
        try (SnapshotSource source = openSource(config, hostname)) {
            ModeDaemon daemon = mode.daemon(context, source);
            try (Dataplane dataplane = daemon.dataplane()) {
                run(config, source, daemon);
            }
        }
        return 0;
    }

    /** The loop over the mode's dataplane, with the daemon's endpoints, until SIGTERM. */
    private void run(ProxyConfig config, SnapshotSource source, ModeDaemon daemon) {
        Dataplane dataplane = daemon.dataplane();
        SyncLoop loop = new SyncLoop(dataplane, config.minSyncPeriod(), config.syncPeriod(),
                Duration.ofMillis(Math.min(5000, config.syncPeriod().toMillis())), SyncLoop.DEFAULT_SETTLE,
                io.svcproxy.reconcile.LoopClock.SYSTEM);
        DaemonEndpoints endpoints = DaemonEndpoints.start(endpointFlags, config, loop, dataplane.families());
        if (source instanceof ApiSnapshotSource api) {
            loop.addObserver(nodeEventsObserver(api.nodeEvents()));
            // A refused list or watch (RBAC) leaves the rules stale: not ready, said why.
            endpoints.health().setSourceProblem(api::problem);
            // Back after an outage: relisted; also read the kernel and repair any drift meanwhile.
            api.onRelisted(() -> {
                loop.requestFullSync();
                loop.requestSync();
            });
        }
        AtomicBoolean running = new AtomicBoolean();
        Signals.onTerminate(() -> {
            LOG.info("stopping; rules stay in place");
            loop.stop();
            if (!running.get()) {
                // Still waiting for the initial state: nothing was written, nothing to finish.
                System.exit(0);
            }
        });
        source.start(loop::requestSync);
        if (!dryRun) {
            setup.sysctls(config).apply(daemon.localhostNodePorts().test(source.current()));
        }
        running.set(true);
        LOG.info("svcproxy running: mode {}, {}, backend {}, families {}, sync period {}, min sync period {}",
                config.mode().flagValue(), cluster != null ? "cluster file " + cluster : "Kubernetes API",
                daemon.backend(), dataplane.families().stream().map(f -> f.kubernetesName()).toList(),
                GoDuration.format(config.syncPeriod()), GoDuration.format(config.minSyncPeriod()));
        try (endpoints) {
            loop.run();
        }
    }

    /** Sync failures become Warning Events on this Node (rate-limited by NodeEvents). */
    private static SyncObserver nodeEventsObserver(NodeEvents events) {
        return new SyncObserver() {
            @Override
            public void syncFailed(Throwable error) {
                events.syncFailed((error instanceof DataplaneException de && de.refused()
                        ? de.component() + " refused the rules: " : "sync failed: ") + error.getMessage());
            }
        };
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

    /** --proxy-mode, the sync periods (--ipvs-* ones in IPVS mode) and the --ipvs-* flags over the file's. */
    private ProxyConfig withSyncPeriods(ProxyConfig config) {
        ProxyConfig.Builder b = config.toBuilder();
        ProxyMode mode = config.mode();
        if (proxyMode != null) {
            mode = ProxyMode.parse(proxyMode);   // a clear error for a mode kube-proxy does not have
            b.mode(mode);
        }
        if (syncPeriod != null) {
            b.syncPeriod(GoDuration.parse(syncPeriod));
        }
        if (minSyncPeriod != null) {
            b.minSyncPeriod(GoDuration.parse(minSyncPeriod));
        }
        ipvsFlags.applyPeriods(b, mode);
        b.ipvs(ipvsFlags.apply(b.ipvs()));
        return b.build();
    }
}
