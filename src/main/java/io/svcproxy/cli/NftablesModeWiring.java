package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.LocalAddresses;
import io.svcproxy.apply.nftables.DryRunNftKernel;
import io.svcproxy.apply.nftables.NftablesDataplane;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.nftables.NftChanges;
import io.svcproxy.diff.nftables.NftDiff;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.Warning;
import io.svcproxy.netlink.nftables.NetlinkNftKernel;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKernel;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.StaleConntrackPlanner;
import io.svcproxy.plan.nftables.NftNames;
import io.svcproxy.plan.nftables.NftOpsText;
import io.svcproxy.plan.nftables.NftText;
import io.svcproxy.plan.nftables.NftablesFamilyPlan;
import io.svcproxy.plan.nftables.NftablesOptions;
import io.svcproxy.plan.nftables.NftablesPlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * nftables mode in run, plan and cleanup: kube-proxy's nftables tables ("ip kube-proxy",
 * "ip6 kube-proxy") written through nf_tables netlink, no nft binary and no iptables binary needed.
 */
final class NftablesModeWiring implements ProxyModeWiring {
    private static final Logger LOG = LoggerFactory.getLogger(NftablesModeWiring.class);

    @Override
    public ModeDaemon daemon(DaemonContext c, SnapshotSupplier source) {
        List<IpFamily> families = families();
        if (!c.dryRun()) {
            removeOtherModes(c);
        }
        NftKernel kernel = c.dryRun() ? new DryRunNftKernel(NetlinkNftKernel::open) : NetlinkNftKernel.open();
        List<InetAddress> localIPs = LocalAddresses.list();
        BiFunction<ClusterSnapshot, IpFamily, NftablesOptions> options = (snapshot, family) -> options(c.config(),
                snapshot, family, localIPs, c.tcpBeLiberal());
        ConntrackCleaner conntrack = c.dryRun() ? filters -> 0 : c.setup().conntrack(c.runner());
        NftablesDataplane dataplane = new NftablesDataplane(source, kernel, families, options, conntrack,
                (before, after) -> {
                    List<ConntrackFilter> out = new ArrayList<>();
                    for (IpFamily f : families) {
                        out.addAll(StaleConntrackPlanner.plan(before, after, options.apply(after, f).base()));
                    }
                    return out;
                });
        return new ModeDaemon(dataplane, "nf_tables netlink", snapshot -> false);
    }

    static NftablesOptions options(ProxyConfig config, ClusterSnapshot snapshot, IpFamily family,
                                   List<InetAddress> localIPs, boolean tcpBeLiberal) {
        // The ServiceCIDR objects' ranges: a change of them changes the options, so the planner plans
        // everything again. None known (an older cluster, a file without them) leaves the drop rule out.
        return NftablesOptionsFactory.create(config, family, snapshot.node().orElse(null), localIPs, tcpBeLiberal,
                snapshot.serviceCidrs());
    }

    /** IPv4 always; IPv6 unless the kernel has it disabled (as kube-proxy, a table per family the node has). */
    private static List<IpFamily> families() {
        return Files.isDirectory(Path.of("/proc/sys/net/ipv6")) ? List.of(IpFamily.V4, IpFamily.V6)
                : List.of(IpFamily.V4);
    }

    /**
     * A node switched from iptables or IPVS mode: their rules would still catch service traffic
     * first, so they go at start-up, as kube-proxy does. Best effort: a node without iptables or
     * IPVS has nothing to remove.
     */
    private static void removeOtherModes(DaemonContext c) {
        java.io.StringWriter log = new java.io.StringWriter();
        try (PrintWriter out = new PrintWriter(log)) {
            for (ProxyModeWiring other : List.of(Dataplanes.of(io.svcproxy.config.ProxyMode.IPTABLES),
                    Dataplanes.of(io.svcproxy.config.ProxyMode.IPVS))) {
                try {
                    other.cleanup(out, c.runner(), c.iptables().backend);
                } catch (RuntimeException e) {
                    out.println("skipped (" + e.getMessage() + ")");
                }
            }
        }
        LOG.info("removed iptables and IPVS mode leftovers: {}", log.toString().strip().replace('\n', ';'));
    }

    @Override
    public int plan(PlanCommand command, ProxyConfig config, ClusterSnapshot snapshot, NodeTarget target,
                    List<IpFamily> families) throws IOException {
        if (command.output != PlanCommand.Output.diff && command.output != PlanCommand.Output.nft) {
            throw new IllegalArgumentException("--output " + command.output + " is not for --proxy-mode nftables"
                    + " (diff or nft)");
        }
        if (target.isDump()) {
            throw new IllegalArgumentException("--against DUMP reads an iptables-save file; with --proxy-mode"
                    + " nftables use --against empty or live");
        }
        PrintWriter out = command.out();
        List<NftablesFamilyPlan> plans = new ArrayList<>();
        for (IpFamily family : families) {
            NftablesFamilyPlan plan = NftablesPlanner.planFamily(snapshot, options(config, snapshot, family, List.of(),
                    command.flags.conntrackTcpBeLiberal()));
            for (Warning w : plan.warnings()) {
                command.err().println("warning: " + w);
            }
            plans.add(plan);
        }
        if (command.output == PlanCommand.Output.nft) {
            out.print(target.isEmpty() ? NftText.renderLoadable(plans.stream().map(NftablesFamilyPlan::table).toList())
                    : NftText.renderReplacing(plans.stream().map(NftablesFamilyPlan::table).toList()));
            out.flush();
            return ExitCodes.CHANGES;
        }
        boolean changes = false;
        try (NftKernel kernel = target.isEmpty() ? null : NetlinkNftKernel.open()) {
            for (NftablesFamilyPlan plan : plans) {
                NftTable actual = kernel == null ? null
                        : kernel.read(NftFamily.of(plan.options().family()), NftNames.TABLE).orElse(null);
                NftChanges diff = NftDiff.diff(actual, plan.table());
                changes |= !diff.isEmpty();
                if (plans.size() > 1) {
                    out.println("# " + plan.options().family().kubernetesName());
                }
                out.print(NftOpsText.render(diff.ops(), plan, actual));
            }
        }
        out.flush();
        return changes ? ExitCodes.CHANGES : ExitCodes.NO_CHANGES;
    }

    /**
     * For iptables and IPVS mode's start-up: a node switched from nftables mode loses its tables
     * (they would keep catching service traffic first). Best effort: no nf_tables, nothing to do.
     */
    static void removeTablesAtStartUp() {
        java.io.StringWriter log = new java.io.StringWriter();
        try (PrintWriter out = new PrintWriter(log)) {
            new NftablesModeWiring().cleanup(out, null, null);
        }
        if (!log.toString().isBlank()) {
            LOG.info("{}", log.toString().strip().replace('\n', ';'));
        }
    }

    /** Our two tables, whole: nothing else of nf_tables is ours. */
    @Override
    public void cleanup(PrintWriter out, CommandRunner runner, String iptablesBackend) {
        try (NftKernel kernel = NetlinkNftKernel.open()) {
            for (NftFamily family : NftFamily.values()) {
                if (kernel.exists(family, NftNames.TABLE)) {
                    kernel.apply(List.of(new NftOp.DeleteTable(family, NftNames.TABLE)));
                    out.println("nftables: removed table " + family.keyword() + " " + NftNames.TABLE);
                }
            }
        } catch (RuntimeException e) {
            out.println("nftables: skipped (" + e.getMessage() + ")");
        }
    }
}
