package io.svcproxy.cli;

import io.svcproxy.config.ProxyConfig;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.explain.Explanation;
import io.svcproxy.explain.ExplanationJson;
import io.svcproxy.explain.ExplanationText;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Origin;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.PathDifferences;
import io.svcproxy.explain.Verdict;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.Warning;
import io.svcproxy.source.ClusterFileSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Where the first packet of a new connection goes on this node, through the planned or the live rules. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Walk the first packet of a new connection from SRC to DST:PORT/PROTO through the rules "
                + "planned for a cluster snapshot (--cluster) or this node's kernel rules (--live), hop by hop.",
            "Exit code: 0 = delivered to an endpoint, 3 = rejected, 4 = dropped, 5 = not a service address, "
                + "1 = error."})
public final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "FILE",
            description = "Cluster snapshot (as for plan): explain the rules planned for it.")
    Path cluster;

    @Option(names = "--live", description = "Explain this node's kernel state (needs root): the iptables rules or "
            + "our nftables table; in IPVS mode the IPVS table, our ipsets and the iptables glue. With --cluster as "
            + "well, both are explained and where they differ on this path is shown.")
    boolean live;

    @Option(names = "--from", required = true, paramLabel = "SRC_IP",
            description = "Source address. One of the node's own addresses means traffic from the node (OUTPUT).")
    String from;

    @Option(names = "--in-interface", paramLabel = "IF",
            description = "Interface the packet arrives on (without it, rules matching -i are not evaluated).")
    String inInterface;

    @Option(names = "--to", required = true, paramLabel = "DST_IP:PORT/PROTO",
            description = "Destination, e.g. 10.96.0.10:53/udp or [fd00::10]:443/tcp.")
    String to;

    @Option(names = "--proxy-mode", paramLabel = "iptables|ipvs|nftables",
            description = "Mode whose rules to explain (default: the --config file's mode, else iptables).")
    String proxyMode;

    @Option(names = "--output", defaultValue = "text", paramLabel = "text|json",
            description = "Default: ${DEFAULT-VALUE}.")
    Output output;

    @Option(names = "--node-ip", split = ",", paramLabel = "IP",
            description = "The node's addresses (for 'destination is local' matches). Default: with --live this "
                    + "host's addresses, else the Node's addresses from the snapshot.")
    List<String> nodeIps;

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend to read with --live. Default: ${DEFAULT-VALUE} (detected).")
    String backend;

    @Mixin
    ProxyFlags flags;

    enum Output { text, json }

    @Override
    public Integer call() throws IOException {
        if (cluster == null && !live) {
            throw new IllegalArgumentException("give --cluster FILE, --live, or both");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Warning> configWarnings = new ArrayList<>();
        ProxyConfig config = flags.proxyConfig(configWarnings);
        configWarnings.forEach(w -> err.println("warning: " + w));
        ClusterSnapshot snapshot = null;
        if (cluster != null) {
            snapshot = new ClusterFileSource(cluster,
                    config.hostnameOverride().isEmpty() ? null : config.hostnameOverride()).load();
            snapshot.warnings().forEach(w -> err.println("warning: " + w));
        }
        ProxyMode mode = proxyMode != null ? ProxyMode.parse(proxyMode) : config.mode();
        ProxyModeWiring wiring = Dataplanes.of(mode);
        NodeFacts node = new NodeFacts(nodeAddresses(snapshot, wiring));
        if (node.addresses().isEmpty()) {
            err.println("warning: the node's addresses are unknown (no Node in the snapshot, no --node-ip): only"
                    + " loopback counts as a local destination");
        }
        Packet packet = packet(node);
        Explanation planned = snapshot == null ? null
                : wiring.explainPlanned(config, snapshot, packet, node, flags.conntrackTcpBeLiberal());
        Explanation actual = live ? wiring.explainLive(packet, node, backend) : null;
        Explanation shown = actual != null ? actual : planned;
        if (output == Output.json) {
            out.println(planned != null && actual != null ? ExplanationJson.renderBoth(planned, actual)
                    : ExplanationJson.render(shown));
        } else {
            if (planned != null && actual != null) {
                out.println("=== planned ===");
                out.print(ExplanationText.render(planned));
                out.println();
                out.println("=== live ===");
                out.print(ExplanationText.render(actual));
                out.println();
                out.print(PathDifferences.render(planned, actual));
            } else {
                out.print(ExplanationText.render(shown));
            }
        }
        out.flush();
        return exitCode(shown.verdict());
    }

    static int exitCode(Verdict v) {
        return switch (v) {
            case DELIVERED -> ExitCodes.DELIVERED;
            case REJECTED -> ExitCodes.REJECTED;
            case DROPPED -> ExitCodes.DROPPED;
            case NOT_A_SERVICE -> ExitCodes.NOT_A_SERVICE;
        };
    }

    private List<InetAddress> nodeAddresses(ClusterSnapshot snapshot, ProxyModeWiring wiring) {
        if (nodeIps != null && !nodeIps.isEmpty()) {
            return nodeIps.stream().map(s -> io.svcproxy.model.Addresses.parseIp(s.trim())).toList();
        }
        if (live) {
            return wiring.liveNodeAddresses();
        }
        return snapshot.node().map(n -> n.addresses()).orElse(List.of());
    }

    private Packet packet(NodeFacts node) {
        InetAddress src = io.svcproxy.model.Addresses.parseIp(from);
        int slash = to.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--to: expected DST_IP:PORT/PROTO, got '" + to + "'");
        }
        Protocol protocol = Protocol.parse(to.substring(slash + 1).toUpperCase());
        String hostPort = to.substring(0, slash);
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--to: expected DST_IP:PORT/PROTO, got '" + to + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--to: bad port in '" + to + "'");
        }
        InetAddress dst = io.svcproxy.model.Addresses.parseIp(host);
        if (IpFamily.of(src) != IpFamily.of(dst)) {
            throw new IllegalArgumentException("--from and --to are of different address families");
        }
        Origin origin = node.addresses().contains(src) || src.isLoopbackAddress() ? Origin.LOCAL : Origin.ROUTED;
        return new Packet(src, dst, port, protocol, origin == Origin.LOCAL ? null : inInterface, origin);
    }
}
