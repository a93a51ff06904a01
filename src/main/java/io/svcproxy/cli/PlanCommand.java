package io.svcproxy.cli;

import io.svcproxy.config.ProxyConfig;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Warning;
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

    @Option(names = "--output", defaultValue = "diff", paramLabel = "diff|restore|ipset|ipvs|nft",
            description = "'diff': readable changes grouped by service (with --proxy-mode nftables as nft commands); "
                    + "'restore': the exact iptables-restore "
                    + "payload for one family; with --proxy-mode ipvs also 'ipset' (the ipset restore payload of a "
                    + "fresh node) and 'ipvs' (the planned virtual and real servers and kube-ipvs0 addresses, "
                    + "ipvsadm -Ln style); with --proxy-mode nftables 'nft' (the complete tables as nft -f reads "
                    + "them; with --against live they replace the node's tables). Default: ${DEFAULT-VALUE}.")
    Output output;

    @Option(names = "--proxy-mode", paramLabel = "iptables|ipvs|nftables",
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

    enum Output { diff, restore, ipset, ipvs, nft }

    enum Colour { auto, always, never }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = err();
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
        return Dataplanes.of(mode).plan(this, config, snapshot, target, families);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private List<IpFamily> families(ClusterSnapshot snapshot, NodeTarget target) {
        if (ipFamily != null) {
            return List.of(IpFamily.parse(ipFamily));
        }
        if (output == Output.nft) {
            return List.of(IpFamily.V4, IpFamily.V6);   // the node's whole ruleset: kube-proxy keeps both tables
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

    boolean useColour() {
        switch (colour) {
            case always: return true;
            case never: return false;
            default: return System.console() != null && System.getenv("NO_COLOR") == null;
        }
    }
}
