package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesDataplane;
import io.svcproxy.apply.IptablesPlanFactory;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.LocalAddresses;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.diff.DiffRenderer;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.Warning;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.IncrementalIptablesPlanner;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.KubeChains;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.StaleConntrackPlanner;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** iptables mode in run, plan and cleanup. */
final class IptablesModeWiring implements ProxyModeWiring {

    @Override
    public ModeDaemon daemon(DaemonContext c, SnapshotSupplier source) {
        if (!c.dryRun()) {
            NftablesModeWiring.removeTablesAtStartUp();
        }
        IptablesFamilies iptables = IptablesFamilies.open(c);
        List<IptablesSyncer> families = iptables.syncers();
        List<InetAddress> localIPs = LocalAddresses.list();
        BiFunction<ClusterSnapshot, IpFamily, PlannerOptions> options = (snapshot, family) ->
                PlannerOptionsFactory.create(c.config(), family, snapshot.node().orElse(null), localIPs,
                        c.tcpBeLiberal());
        // One incremental planner per family: a sync re-renders only the services that changed.
        Map<IpFamily, IncrementalIptablesPlanner> planners = new EnumMap<>(IpFamily.class);
        IptablesPlanFactory planner = (snapshot, family) -> planners
                .computeIfAbsent(family, f -> new IncrementalIptablesPlanner())
                .plan(snapshot, options.apply(snapshot, family));
        ConntrackCleaner conntrack = c.dryRun() ? filters -> 0 : c.setup().conntrack(c.runner());
        IptablesDataplane dataplane = new IptablesDataplane(source, planner, families, conntrack,
                (before, after) -> staleEntries(before, after, families, options));
        return new ModeDaemon(dataplane, iptables.backend().toString(),
                snapshot -> options.apply(snapshot, IpFamily.V4).localhostNodePortsActive());
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

    @Override
    public int plan(PlanCommand command, ProxyConfig config, ClusterSnapshot snapshot, NodeTarget target,
                    List<IpFamily> families) throws IOException {
        if (command.output == PlanCommand.Output.ipset || command.output == PlanCommand.Output.ipvs) {
            throw new IllegalArgumentException("--output " + command.output + " needs --proxy-mode ipvs");
        }
        PrintWriter out = command.out();
        boolean changes = false;
        for (IpFamily family : families) {
            IptablesPlan plan = IptablesPlanner.plan(snapshot, PlannerOptionsFactory.create(config, family,
                    snapshot.node().orElse(null), List.of(), command.flags.conntrackTcpBeLiberal()));
            for (Warning w : plan.warnings()) {
                command.err().println("warning: " + w);
            }
            if (command.output == PlanCommand.Output.restore && target.isEmpty()) {
                CompletePayload.write(plan, out);
                changes = true;
                continue;
            }
            Ruleset actual = target.read(family);
            ChangeSet diff = RulesetDiff.diff(actual, plan);
            changes |= !diff.isEmpty();
            if (command.output == PlanCommand.Output.restore) {
                diff.writeTo(out);
            } else {
                if (families.size() > 1) {
                    out.println("# " + family.kubernetesName());
                }
                new DiffRenderer(command.useColour()).render(diff, out);
            }
        }
        out.flush();
        return changes ? ExitCodes.CHANGES : ExitCodes.NO_CHANGES;
    }

    /** Every chain and jump of ours (either mode's), except the kubelet's KUBE-FIREWALL. */
    @Override
    public void cleanup(PrintWriter out, CommandRunner runner, String iptablesBackend) {
        IptablesBackend chosen = new BackendDetector(runner).choose(iptablesBackend).backend();
        CommandIptablesRestorer restorer = new CommandIptablesRestorer(runner, chosen, 5);
        for (IpFamily family : IpFamily.values()) {
            Ruleset actual;
            try {
                actual = restorer.save(family);
            } catch (RuntimeException e) {
                out.println(family.kubernetesName() + ": skipped (" + e.getMessage() + ")");
                continue;
            }
            ChangeSet changes = RulesetDiff.diff(actual, kubeletOnly(actual));
            if (!changes.isEmpty()) {
                restorer.restore(family, changes);
            }
            out.println(family.kubernetesName() + ": removed " + changes.counts().chainsDeleted() + " chains, "
                    + changes.counts().rulesDeleted() + " rules (" + chosen + " backend)");
        }
    }

    /**
     * The state cleanup leaves: nothing of ours, except the kubelet's KUBE-FIREWALL chain and the jumps
     * to it, which the kubelet maintains too (kube-proxy's cleanup keeps them as well).
     */
    static IptablesPlan kubeletOnly(Ruleset actual) {
        Map<String, Table> tables = new LinkedHashMap<>();
        Table filter = actual.table("filter");
        Chain firewall = filter == null ? null : filter.chain(KubeChains.KUBELET_FIREWALL);
        if (firewall != null) {
            Map<String, Chain> chains = new LinkedHashMap<>();
            for (Chain c : filter.chains().values()) {
                if (c.builtin()) {
                    List<String> jumps = c.rules().stream()
                            .filter(r -> r.endsWith("-j " + KubeChains.KUBELET_FIREWALL)).toList();
                    chains.put(c.name(), new Chain(c.name(), c.policy(), jumps));
                }
            }
            chains.put(firewall.name(), firewall);
            tables.put("filter", new Table("filter", chains));
        }
        return new IptablesPlan(new Ruleset(actual.family(), tables), Map.of(), List.of(), List.of());
    }
}
