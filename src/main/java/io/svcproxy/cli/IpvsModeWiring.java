package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ipvs.CommandIpsets;
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
import io.svcproxy.explain.Explanation;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.ipvs.IpvsExplainer;
import io.svcproxy.ipvs.IpvsKernel;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.Warning;
import io.svcproxy.netlink.ipvs.IpvsClient;
import io.svcproxy.netlink.ipvs.NetlinkIpvsClient;
import io.svcproxy.netlink.route.KubeIpvsInterface;
import io.svcproxy.netlink.route.NetlinkKubeIpvsInterface;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;
import io.svcproxy.plan.ipvs.IpvsPlan;
import io.svcproxy.plan.ipvs.IpvsPlanner;
import io.svcproxy.plan.ipvs.IpvsStateText;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** IPVS mode in run, plan and cleanup. */
final class IpvsModeWiring implements ProxyModeWiring {
    private static final String PARTS = "IPVS (virtual servers, ipsets and iptables glue)";

    /** IPVS mode has no localhost NodePorts (kube-proxy's IPVS mode neither). */
    @Override
    public ModeDaemon daemon(DaemonContext c, SnapshotSupplier source) {
        if (!c.dryRun()) {
            NftablesModeWiring.removeTablesAtStartUp();
            c.setup().sysctls(c.config()).applyIpvs(c.config().ipvs().strictArp());
        }
        IptablesFamilies glue = IptablesFamilies.open(c);
        return new ModeDaemon(IpvsDaemon.start(c, source, glue.syncers()), glue.backend().toString(),
                snapshot -> false);
    }

    @Override
    public Explanation explainPlanned(ProxyConfig config, ClusterSnapshot snapshot, Packet packet, NodeFacts node,
                                      boolean tcpBeLiberal) {
        // the node's addresses (as given) are where its NodePort virtual servers are
        IpvsPlan plan = IpvsPlanner.plan(snapshot, IpvsDaemon.options(config, snapshot, packet.family(),
                node.addresses(), tcpBeLiberal));
        return IpvsExplainer.explain(plan.glue().desired(), plan.ipsets(), plan.ipvs(), packet, node,
                "planned, " + PARTS + " " + packet.family().kubernetesName());
    }

    /**
     * The node's IPVS table (virtual servers, destinations, kube-ipvs0's addresses, read over
     * netlink and never created), our KUBE-* ipsets ("ipset save") and the iptables rules
     * (iptables-save, as the iptables mode's --live reads them), handed to the same evaluator.
     */
    @Override
    public Explanation explainLive(Packet packet, NodeFacts node, String iptablesBackend) {
        Ruleset glue = NodeTarget.parse("live", iptablesBackend).read(packet.family());
        IpsetState ipsets;
        try {
            ipsets = new CommandIpsets(new CommandRunner()).read();
        } catch (RuntimeException e) {
            throw new IllegalStateException("explain --live in IPVS mode cannot read the ipsets: " + e.getMessage(), e);
        }
        IpvsState ipvs;
        try (IpvsKernel kernel = IpvsDaemon.openReadOnly()) {
            ipvs = kernel.read();
        } catch (RuntimeException e) {
            throw new IllegalStateException("explain --live in IPVS mode cannot read the IPVS table (it needs root"
                    + " and the ip_vs module): " + e.getMessage(), e);
        }
        return IpvsExplainer.explain(glue, ipsets, ipvs, packet, node,
                "live, " + PARTS + " " + packet.family().kubernetesName());
    }

    /** Without kube-ipvs0: its addresses are service VIPs, not the node's (as the daemon's NodePorts). */
    @Override
    public List<InetAddress> liveNodeAddresses() {
        return IpvsSettings.nodeAddresses();
    }

    @Override
    public int plan(PlanCommand command, ProxyConfig config, ClusterSnapshot snapshot, NodeTarget target,
                    List<IpFamily> families) throws IOException {
        PrintWriter out = command.out();
        boolean changes = false;
        ProxyConfig.Ipvs ipvsConfig = config.ipvs();
        if (command.ipvsScheduler != null) {
            ipvsConfig = ipvsConfig.withScheduler(command.ipvsScheduler);
        }
        if (command.ipvsExcludeCidrs != null) {
            ipvsConfig = ipvsConfig.withExcludeCidrs(IpvsFlags.cidrs("--ipvs-exclude-cidrs", command.ipvsExcludeCidrs));
        }
        int schedulerFlags = IpvsOptions.parseFlags(command.ipvsSchedulerFlags);
        for (IpFamily family : families) {
            PlannerOptions base = PlannerOptionsFactory.create(config, family, snapshot.node().orElse(null), List.of(),
                    command.flags.conntrackTcpBeLiberal());
            IpvsOptions opts = IpvsSettings.options(base, ipvsConfig, schedulerFlags);
            IpvsPlan plan = IpvsPlanner.plan(snapshot, opts);
            for (Warning w : plan.warnings()) {
                command.err().println("warning: " + w);
            }
            IpvsChanges ipvs = IpvsDiff.diff(IpvsState.empty(), plan.ipvs(), DrainState.empty(),
                    IpvsSettings.scope(base.nodePortIPs(), ipvsConfig), 0L);
            IpsetChanges ipsets = IpsetDiff.diff(IpsetState.empty(), plan.ipsets());
            switch (command.output) {
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
            new DiffRenderer(command.useColour()).render(glue, out);
        }
        out.flush();
        return changes ? ExitCodes.CHANGES : ExitCodes.NO_CHANGES;
    }

    /**
     * IPVS mode's leftovers, after the glue rules are gone: our IPVS services (those on an address
     * bound to kube-ipvs0 or on a node address; services another tool made elsewhere stay), kube-ipvs0
     * itself, and our KUBE-* ipsets (foreign sets stay). Each part is skipped with a message when its
     * kernel side is not there (no ip_vs module, no ipset tool).
     */
    @Override
    public void cleanup(PrintWriter out, CommandRunner runner, String iptablesBackend) {
        try (NetlinkKubeIpvsInterface iface = NetlinkKubeIpvsInterface.open()) {
            boolean exists = iface.exists();
            Set<InetAddress> bound = exists ? iface.bound() : Set.of();
            try (NetlinkIpvsClient client = NetlinkIpvsClient.open()) {
                IpvsState actual = readServices(client, bound);
                // No configuration here: every IPVS service of ours goes, excludeCIDRs or not (as kube-proxy's).
                IpvsChanges changes = IpvsDiff.diff(actual, IpvsState.empty(), DrainState.empty(),
                        IpvsSettings.scope(IpvsSettings.nodeAddresses(), ProxyConfig.Ipvs.KUBE_PROXY_DEFAULTS), 0L);
                int services = 0;
                for (IpvsOp op : changes.ops()) {
                    if (op instanceof IpvsOp.DeleteService d) {
                        client.deleteService(d.service());
                        services++;
                    }
                }
                out.println("ipvs: removed " + services + " services (" + (actual.services().size() - services)
                        + " foreign left)");
            } catch (RuntimeException e) {
                out.println("ipvs: services skipped (" + e.getMessage() + ")");
            }
            if (exists) {
                iface.delete();
                out.println("ipvs: removed " + KubeIpvsInterface.NAME);
            }
        } catch (RuntimeException e) {
            out.println("ipvs: " + KubeIpvsInterface.NAME + " skipped (" + e.getMessage() + ")");
        }
        try {
            CommandIpsets ipsets = new CommandIpsets(runner);
            List<String> lines = new ArrayList<>();
            for (String name : ipsets.read().sets().keySet()) {
                lines.add(IpsetRestore.destroy(name));
            }
            ipsets.restore(lines);
            out.println("ipsets: destroyed " + lines.size() + " KUBE-* sets");
        } catch (RuntimeException e) {
            out.println("ipsets: skipped (" + e.getMessage() + ")");
        }
    }

    private static IpvsState readServices(IpvsClient client, Set<InetAddress> bound) {
        TreeMap<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
        for (VirtualServer vs : client.services()) {
            services.put(vs.key(), vs);
        }
        return new IpvsState(services, Map.of(), bound);
    }
}
