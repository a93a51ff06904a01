package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.DryRunRestorer;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesRestorer;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.LocalAddresses;
import io.svcproxy.config.GoDuration;
import io.svcproxy.config.PlannerOptionsFactory;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.reconcile.SyncAction;
import java.util.function.BooleanSupplier;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.StaleConntrackPlanner;
import io.svcproxy.model.Warning;
import io.svcproxy.plan.IncrementalIptablesPlanner;
import io.svcproxy.reconcile.PlanFactory;
import io.svcproxy.reconcile.ProxySyncer;
import io.svcproxy.reconcile.SyncLoop;
import io.svcproxy.source.ApiConnection;
import io.svcproxy.source.ApiSnapshotSource;
import io.svcproxy.source.FileSnapshotSource;
import io.svcproxy.source.NodeEvents;
import io.svcproxy.reconcile.SyncObserver;
import io.svcproxy.source.SnapshotSource;
import io.svcproxy.diff.BatchPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

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

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend. Default: ${DEFAULT-VALUE} (the one holding the node's rules).")
    String backend;

    @Option(names = "--iptables-batch-services", defaultValue = "auto", paramLabel = "auto|N",
            description = "Size of the batches a large sync stages its new chains in: 'auto' bounds each "
                    + "iptables-restore by new chains, per backend (nft " + BatchPolicy.NFT_CHAINS + ", legacy "
                    + BatchPolicy.LEGACY_CHAINS + "); N puts at most N services in each. Default: ${DEFAULT-VALUE}.")
    String batchServices;

    @Option(names = "--dry-run", description = "Plan and log the diffs continuously; apply nothing.")
    boolean dryRun;

    @Option(names = "--cleanup", description = "Remove our rules and exit (as 'svcproxy cleanup').")
    boolean cleanup;

    @Option(names = "--proxy-mode", paramLabel = "iptables|ipvs",
            description = "Proxy mode: iptables or ipvs (kube-proxy's). Default: --config's mode, else iptables.")
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

    @Override
    public Integer call() {
        LoggingFormat.apply(loggingFormat);
        if (cleanup) {
            CleanupCommand c = new CleanupCommand();
            c.backend = backend;
            c.spec = spec;
            return c.call();
        }
        List<Warning> warnings = new ArrayList<>();
        ProxyConfig config = withSyncPeriods(flags.proxyConfig(warnings));
        warnings.forEach(w -> LOG.warn("config: {}", w));
        if (cluster != null && (kubeconfig != null || master != null)) {
            throw new IllegalArgumentException("--cluster cannot be combined with --kubeconfig or --master");
        }
        boolean ipvs = config.mode() == ProxyMode.IPVS;
        endpointFlags.resolve(config);
        endpointFlags.validate();
        setup.sysctls(config);
        OomScore.apply(oomScoreAdj != null ? oomScoreAdj : config.oomScoreAdj());
        BatchPolicy fixedBatches = parseBatchServices(batchServices);
        CommandRunner runner = new CommandRunner();
        IptablesBackend chosen = chooseBackend(runner);
        BatchPolicy batchPolicy = fixedBatches != null ? fixedBatches : chosen.batchPolicy();
        CommandIptablesRestorer real = new CommandIptablesRestorer(runner, chosen, 5);
        IptablesRestorer restorer = dryRun ? new DryRunRestorer(real) : real;
        if (dryRun) {
            LOG.info("dry run: planning and logging diffs only; nothing is written to this node");
        }

        if (ipvs && !dryRun) {
            setup.sysctls(config).applyIpvs(config.ipvs().strictArp());
        }
        List<IptablesSyncer> families = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            if (setup.familyAvailable(restorer, family)) {
                families.add(new IptablesSyncer(family, restorer, dryRun ? names -> { } : setup.nfacct(runner),
                        batchPolicy));
            }
        }
        if (families.isEmpty()) {
            throw new IllegalStateException("neither iptables nor ip6tables works on this node (run as root?)");
        }
        String hostname = config.hostnameOverride().isEmpty() ? null : config.hostnameOverride();
        try (SnapshotSource source = openSource(config, hostname);
             IpvsDaemon ipvsDaemon = ipvs ? IpvsDaemon.start(config, source, families, runner,
                     dryRun ? filters -> 0 : setup.conntrack(runner),
                     setup.sysctls(config).tcpBeLiberal() || flags.conntrackTcpBeLiberal(), dryRun) : null) {
            boolean liberal = setup.sysctls(config).tcpBeLiberal() || flags.conntrackTcpBeLiberal();
            List<InetAddress> localIPs = ipvs ? IpvsDaemon.nodeAddresses() : LocalAddresses.list();
            BiFunction<ClusterSnapshot, IpFamily, PlannerOptions> options = (snapshot, family) ->
                    PlannerOptionsFactory.create(config, family, snapshot.node().orElse(null), localIPs, liberal);
            SyncAction syncer;
            BooleanSupplier canary;
            if (ipvs) {
                // IPVS mode's glue has no canary chain: its nat KUBE-SERVICES chain going away means a flush.
                syncer = ipvsDaemon.syncer();
                canary = () -> dryRun || restorer.chainExists(families.get(0).family(), "nat", "KUBE-SERVICES");
            } else {
                // One incremental planner per family: a sync re-renders only the services that changed.
                Map<IpFamily, IncrementalIptablesPlanner> planners = new EnumMap<>(IpFamily.class);
                PlanFactory planner = (snapshot, family) -> planners
                        .computeIfAbsent(family, f -> new IncrementalIptablesPlanner())
                        .plan(snapshot, options.apply(snapshot, family));
                ConntrackCleaner conntrack = dryRun ? filters -> 0 : setup.conntrack(runner);
                syncer = new ProxySyncer(source, planner, families, conntrack,
                        (before, after) -> staleEntries(before, after, families, options));
                canary = () -> dryRun || restorer.chainExists(families.get(0).family(), "mangle", "KUBE-PROXY-CANARY");
            }
            SyncLoop loop = new SyncLoop(syncer, config.minSyncPeriod(), config.syncPeriod(),
                    Duration.ofMillis(Math.min(5000, config.syncPeriod().toMillis())), canary);
            DaemonEndpoints endpoints = DaemonEndpoints.start(endpointFlags, config, loop,
                    families.stream().map(IptablesSyncer::family).toList());
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
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
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
                // IPVS mode has no localhost NodePorts (kube-proxy's IPVS mode neither).
                setup.sysctls(config).apply(!ipvs
                        && options.apply(source.current(), IpFamily.V4).localhostNodePortsActive());
            }
            running.set(true);
            LOG.info("svcproxy running: mode {}, {}, backend {}, families {}, sync period {}, min sync period {}",
                    config.mode().flagValue(), cluster != null ? "cluster file " + cluster : "Kubernetes API", chosen, families.stream().map(f -> f.family().kubernetesName()).toList(),
                    GoDuration.format(config.syncPeriod()), GoDuration.format(config.minSyncPeriod()));
            try (endpoints) {
                loop.run();
            }
        }
        return 0;
    }

    /** Sync failures become Warning Events on this Node (rate-limited by NodeEvents). */
    /** --iptables-batch-services: null for "auto" (the backend's chain budget), else N services per batch. */
    static BatchPolicy parseBatchServices(String value) {
        if ("auto".equals(value)) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--iptables-batch-services must be 'auto' or a number, not '" + value + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--iptables-batch-services must be at least 1");
        }
        return BatchPolicy.services(n);
    }

    private static SyncObserver nodeEventsObserver(NodeEvents events) {
        return new SyncObserver() {
            @Override
            public void syncFailed(Throwable error, boolean restoreRefused) {
                events.syncFailed((restoreRefused ? "iptables-restore refused the rules: " : "sync failed: ")
                        + error.getMessage());
            }
        };
    }

    /** UDP conntrack entries the change made stale, for every family this node runs. */
    private static List<ConntrackFilter> staleEntries(ClusterSnapshot before, ClusterSnapshot after,
                                                      List<IptablesSyncer> families,
                                                      BiFunction<ClusterSnapshot, IpFamily, PlannerOptions> options) {
        List<ConntrackFilter> out = new ArrayList<>();
        for (IptablesSyncer f : families) {
            out.addAll(StaleConntrackPlanner.plan(before, after, options.apply(after, f.family())));
        }
        return out;
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
            mode = ProxyMode.parse(proxyMode);   // a clear error for anything but iptables or ipvs
            b.mode(mode);
        }
        if (syncPeriod != null) {
            b.syncPeriod(GoDuration.parse(syncPeriod));
        }
        if (minSyncPeriod != null) {
            b.minSyncPeriod(GoDuration.parse(minSyncPeriod));
        }
        if (mode == ProxyMode.IPVS) {
            if (ipvsFlags.syncPeriod != null) {
                b.syncPeriod(IpvsFlags.duration("--ipvs-sync-period", ipvsFlags.syncPeriod));
            }
            if (ipvsFlags.minSyncPeriod != null) {
                b.minSyncPeriod(IpvsFlags.duration("--ipvs-min-sync-period", ipvsFlags.minSyncPeriod));
            }
        }
        b.ipvs(ipvsFlags.apply(b.ipvs()));
        return b.build();
    }

    private IptablesBackend chooseBackend(CommandRunner runner) {
        BackendDetector.Choice choice = new BackendDetector(runner).choose(backend);
        LOG.info("iptables backend {}: {}", choice.backend(), choice.reason());
        return choice.backend();
    }
}
