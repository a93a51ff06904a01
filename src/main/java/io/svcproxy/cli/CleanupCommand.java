package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.plan.KubeChains;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Removes every chain and jump rule svcproxy (or kube-proxy) owns, and nothing else. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Remove svcproxy's (and kube-proxy's iptables- and IPVS-mode) chains and jumps from this node,",
            "then IPVS mode's leftovers: IPVS services on kube-ipvs0 or node addresses, kube-ipvs0, KUBE-* ipsets.",
            "Foreign chains, rules, IPVS services and ipsets are left untouched. The kubelet's KUBE-FIREWALL chain is kept.",
            "Sysctls svcproxy set (e.g. route_localnet) are left as they are."})
public final class CleanupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend. Default: ${DEFAULT-VALUE}.")
    String backend;

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

    /**
     * IPVS mode's leftovers, after the glue rules are gone: our IPVS services (those on an address
     * bound to kube-ipvs0 or on a node address; services another tool made elsewhere stay), kube-ipvs0
     * itself, and our KUBE-* ipsets (foreign sets stay). Each part is skipped with a message when its
     * kernel side is not there (no ip_vs module, no ipset tool).
     */
    private static void cleanupIpvs(PrintWriter out, CommandRunner runner) {
        try (io.svcproxy.netlink.route.NetlinkKubeIpvsInterface iface =
                     io.svcproxy.netlink.route.NetlinkKubeIpvsInterface.open()) {
            boolean exists = iface.exists();
            java.util.Set<java.net.InetAddress> bound = exists ? iface.bound() : java.util.Set.of();
            try (io.svcproxy.netlink.ipvs.NetlinkIpvsClient client = io.svcproxy.netlink.ipvs.NetlinkIpvsClient.open()) {
                io.svcproxy.ipvs.IpvsState actual = readServices(client, bound);
                io.svcproxy.diff.ipvs.IpvsChanges changes = io.svcproxy.diff.ipvs.IpvsDiff.diff(actual,
                        io.svcproxy.ipvs.IpvsState.empty(), io.svcproxy.diff.ipvs.DrainState.empty(),
                        new io.svcproxy.diff.ipvs.IpvsDiff.Scope(java.util.Set.copyOf(IpvsDaemon.nodeAddresses().stream()
                                .filter(a -> !a.isLoopbackAddress()).toList()),
                                List.of(), java.time.Duration.ZERO), 0L);
                int services = 0;
                for (io.svcproxy.ipvs.IpvsOp op : changes.ops()) {
                    if (op instanceof io.svcproxy.ipvs.IpvsOp.DeleteService d) {
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
                out.println("ipvs: removed " + io.svcproxy.netlink.route.KubeIpvsInterface.NAME);
            }
        } catch (RuntimeException e) {
            out.println("ipvs: " + io.svcproxy.netlink.route.KubeIpvsInterface.NAME + " skipped (" + e.getMessage() + ")");
        }
        try {
            io.svcproxy.apply.ipvs.CommandIpsets ipsets = new io.svcproxy.apply.ipvs.CommandIpsets(runner);
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (String name : ipsets.read().sets().keySet()) {
                lines.add(io.svcproxy.ipset.IpsetRestore.destroy(name));
            }
            ipsets.restore(lines);
            out.println("ipsets: destroyed " + lines.size() + " KUBE-* sets");
        } catch (RuntimeException e) {
            out.println("ipsets: skipped (" + e.getMessage() + ")");
        }
    }

    private static io.svcproxy.ipvs.IpvsState readServices(io.svcproxy.netlink.ipvs.IpvsClient client,
                                                           java.util.Set<java.net.InetAddress> bound) {
        java.util.TreeMap<io.svcproxy.ipvs.VirtualServer.Key, io.svcproxy.ipvs.VirtualServer> services = new java.util.TreeMap<>();
        for (io.svcproxy.ipvs.VirtualServer vs : client.services()) {
            services.put(vs.key(), vs);
        }
        return new io.svcproxy.ipvs.IpvsState(services, Map.of(), bound);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CommandRunner runner = new CommandRunner();
        IptablesBackend chosen = new BackendDetector(runner).choose(backend).backend();
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
        cleanupIpvs(out, runner);
        out.println("sysctls set by svcproxy (net.ipv4.conf.all.route_localnet, conntrack limits) were left as they are");
        out.flush();
        return 0;
    }
}
