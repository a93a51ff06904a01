package io.svcproxy.cli;

import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.diff.DiffRenderer;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.diff.ipvs.DrainState;
import io.svcproxy.diff.ipvs.IpsetChanges;
import io.svcproxy.diff.ipvs.IpsetDiff;
import io.svcproxy.diff.ipvs.IpvsChanges;
import io.svcproxy.diff.ipvs.IpvsChangesText;
import io.svcproxy.diff.ipvs.IpvsDiff;
import io.svcproxy.ipset.IpsetRestore;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.model.Cidr;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;
import io.svcproxy.plan.ipvs.IpvsPlan;
import io.svcproxy.plan.ipvs.IpvsPlanner;
import io.svcproxy.plan.ipvs.IpvsStateText;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Warning;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.source.ClusterFileSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Shows what would change on a node, without touching it. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Plan the rules for a cluster snapshot and show how they differ from a node's.",
            "Exit code: 0 = no change, 2 = changes planned, 1 = error."})
public final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE",
            description = "Cluster snapshot: Kubernetes YAML/JSON (multi-document or kind: List) with "
                    + "Services, EndpointSlices and Nodes.")
    Path cluster;

    @Option(names = "--against", defaultValue = "empty", paramLabel = "empty|live|DUMP",
            description = "What to compare with: 'empty' (a fresh node), 'live' (this node, needs root), or an "
                    + "iptables-save dump file. Default: ${DEFAULT-VALUE}.")
    String against;

    @Option(names = "--output", defaultValue = "diff", paramLabel = "diff|restore|ipset|ipvs",
            description = "'diff': readable changes grouped by service; 'restore': the exact iptables-restore "
                    + "payload for one family; with --proxy-mode ipvs also 'ipset' (the ipset restore payload of a "
                    + "fresh node) and 'ipvs' (the planned virtual and real servers and kube-ipvs0 addresses, "
                    + "ipvsadm -Ln style). Default: ${DEFAULT-VALUE}.")
    Output output;

    @Option(names = "--proxy-mode", paramLabel = "iptables|ipvs",
            description = "kube-proxy's mode to plan for (default: the --config file's mode, else iptables). In ipvs "
                    + "mode --against applies to the iptables glue only: the IPVS services, kube-ipvs0 addresses "
                    + "and ipsets are always compared with an empty node (reading them from a node or a dump is "
                    + "not supported).")
    String proxyMode;

    @Option(names = "--ipvs-scheduler", paramLabel = "NAME",
            description = "IPVS scheduler: rr (default), wrr, lc, wlc, lblc, lblcr, sh, dh, sed, nq, mh.")
    String ipvsScheduler;

    @Option(names = "--ipvs-scheduler-flags", paramLabel = "FLAGS",
            description = "IPVS scheduler flags, comma-separated: flag-1|flag-2|flag-3 or sh-fallback, sh-port, "
                    + "mh-fallback, mh-port (mh always gets mh-port, as in kube-proxy).")
    String ipvsSchedulerFlags;

    @Option(names = "--ipvs-exclude-cidrs", split = ",", paramLabel = "CIDR",
            description = "IPVS services on these addresses are never deleted.")
    List<String> ipvsExcludeCidrs;

    @Option(names = "--ip-family", paramLabel = "4|6",
            description = "Family for --output restore and for a DUMP (default 4). With --output diff and "
                    + "--against empty|live, every family the cluster uses is shown.")
    String ipFamily;

    @Option(names = "--color", defaultValue = "auto", paramLabel = "auto|always|never",
            description = "Colour the diff: auto = only on a terminal. Default: ${DEFAULT-VALUE}.")
    Colour colour;

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "Backend to read with --against live. Default: ${DEFAULT-VALUE} (detected).")
    String backend;

    @Mixin
    ProxyFlags flags;

    enum Output { diff, restore, ipset, ipvs }

    enum Colour { auto, always, never }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Warning> configWarnings = new ArrayList<>();
        ProxyConfig config = flags.proxyConfig(configWarnings);
        configWarnings.forEach(w -> err.println("warning: " + w));
        ClusterSnapshot snapshot = new ClusterFileSource(cluster,
                config.hostnameOverride().isEmpty() ? null : config.hostnameOverride()).load();
        for (Warning w : snapshot.warnings()) {
            err.println("warning: " + w);
        }
        NodeTarget target = NodeTarget.parse(against, backend);
        List<IpFamily> families = families(snapshot, target);
        ProxyMode mode = proxyMode != null ? ProxyMode.parse(proxyMode) : config.mode();
        if (mode == ProxyMode.IPVS) {
            return planIpvs(config, snapshot, target, families, out, err);
        }
        if (output == Output.ipset || output == Output.ipvs) {
            throw new IllegalArgumentException("--output " + output + " needs --proxy-mode ipvs");
        }
        boolean changes = false;
        for (IpFamily family : families) {
            IptablesPlan plan = IptablesPlanner.plan(snapshot, PlannerOptionsFactory.create(config, family,
                    snapshot.node().orElse(null), List.of(), flags.conntrackTcpBeLiberal()));
            for (Warning w : plan.warnings()) {
                err.println("warning: " + w);
            }
            if (output == Output.restore && target.isEmpty()) {
                CompletePayload.write(plan, out);
                changes = true;
                continue;
            }
            Ruleset actual = target.read(family);
            ChangeSet diff = RulesetDiff.diff(actual, plan);
            changes |= !diff.isEmpty();
            if (output == Output.restore) {
                diff.writeTo(out);
            } else {
                if (families.size() > 1) {
                    out.println("# " + family.kubernetesName());
                }
                new DiffRenderer(useColour()).render(diff, out);
            }
        }
        out.flush();
        return changes ? ExitCodes.CHANGES : ExitCodes.NO_CHANGES;
    }

    private int planIpvs(ProxyConfig config, ClusterSnapshot snapshot, NodeTarget target, List<IpFamily> families,
                         PrintWriter out, PrintWriter err) throws IOException {
        boolean changes = false;
        for (IpFamily family : families) {
            PlannerOptions base = PlannerOptionsFactory.create(config, family, snapshot.node().orElse(null), List.of(),
                    flags.conntrackTcpBeLiberal());
            List<Cidr> exclude = new ArrayList<>();
            if (ipvsExcludeCidrs != null) {
                ipvsExcludeCidrs.forEach(c -> exclude.add(Cidr.parse(c)));
            }
            IpvsOptions opts = IpvsOptions.defaults(base)
                    .withScheduler(ipvsScheduler, IpvsOptions.parseFlags(ipvsSchedulerFlags))
                    .withExcludeCidrs(exclude);
            IpvsPlan plan = IpvsPlanner.plan(snapshot, opts);
            for (Warning w : plan.warnings()) {
                err.println("warning: " + w);
            }
            IpvsChanges ipvs = IpvsDiff.diff(IpvsState.empty(), plan.ipvs(), DrainState.empty(),
                    new IpvsDiff.Scope(java.util.Set.copyOf(base.nodePortIPs()), opts.excludeCidrs(),
                            IpvsDiff.DEFAULT_DRAIN_BOUND), 0L);
            IpsetChanges ipsets = IpsetDiff.diff(IpsetState.empty(), plan.ipsets());
            switch (output) {
                case ipvs:
                    out.print(IpvsStateText.render(plan.ipvs()));
                    changes = true;
                    continue;
                case ipset:
                    out.print(IpsetChanges.payload(IpsetRestore.complete(plan.ipsets())));
                    changes = true;
                    continue;
                case restore:
                    if (target.isEmpty()) {
                        CompletePayload.write(plan.glue(), out);
                        changes = true;
                    } else {
                        ChangeSet diff = RulesetDiff.diff(target.read(family), plan.glue());
                        changes |= !diff.isEmpty();
                        diff.writeTo(out);
                    }
                    continue;
                default:
                    break;
            }
            ChangeSet glue = RulesetDiff.diff(target.read(family), plan.glue());
            changes |= !glue.isEmpty() || !ipvs.isEmpty() || !ipsets.isEmpty();
            if (families.size() > 1) {
                out.println("# " + family.kubernetesName());
            }
            out.println("## IPVS (against an empty node)");
            out.print(IpvsChangesText.render(ipvs));
            out.println("## ipsets (against an empty node)");
            out.print(IpvsChangesText.render(ipsets));
            out.println("## iptables glue");
            new DiffRenderer(useColour()).render(glue, out);
        }
        out.flush();
        return changes ? ExitCodes.CHANGES : ExitCodes.NO_CHANGES;
    }

    private List<IpFamily> families(ClusterSnapshot snapshot, NodeTarget target) {
        if (ipFamily != null) {
            return List.of(IpFamily.parse(ipFamily));
        }
        if (output != Output.diff || target.isDump()) {
            return List.of(IpFamily.V4);
        }
        List<IpFamily> out = new ArrayList<>(List.of(IpFamily.V4));
        boolean v6 = snapshot.services().values().stream().anyMatch(s -> s.clusterIP(IpFamily.V6) != null);
        if (v6) {
            out.add(IpFamily.V6);
        }
        return out;
    }

    private boolean useColour() {
        switch (colour) {
            case always: return true;
            case never: return false;
            default: return System.console() != null && System.getenv("NO_COLOR") == null;
        }
    }
}
