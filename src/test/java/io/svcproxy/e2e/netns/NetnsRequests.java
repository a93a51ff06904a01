package io.svcproxy.e2e.netns;

import io.svcproxy.e2e.Protocol;
import io.svcproxy.e2e.Reply;
import io.svcproxy.e2e.Source;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Pod;
import io.svcproxy.testing.topology.Probe;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Requests of the netns driver, made with the topology's client helpers from the source's namespace
 * (a node's client pod, the node, the external host): TCP with socat, UDP from a fresh port, HTTP with
 * curl, SCTP as one INIT (nmap; the kernel has no SCTP sockets) whose DNAT is read from the conntrack
 * table of the node the INIT crossed.
 */
final class NetnsRequests {
    private static final Duration CMD = Duration.ofSeconds(20);
    private final ClusterNetwork network;
    private final UnaryOperator<String> podByIp;

    /** podByIp: the name of the running pod with that address, or null. */
    NetnsRequests(ClusterNetwork network, UnaryOperator<String> podByIp) {
        this.network = network;
        this.podByIp = podByIp;
    }

    Reply request(Source from, String address, int port, Protocol protocol, Duration timeout) {
        Pod shell = shell(from);
        double seconds = timeout.toMillis() / 1000.0;
        boolean v6 = address.contains(":");
        return switch (protocol) {
            case TCP -> reply(shell.tcp(v6 ? "[" + address + "]" : address, port, seconds));
            case UDP -> reply(shell.udp(address, port, seconds));
            case SCTP -> sctp(from, shell, address, port);
        };
    }

    int httpStatus(Source from, String address, int port, String path, Duration timeout) {
        String host = address.contains(":") ? "[" + address + "]" : address;
        NetNs.Result r = Exec.run(Exec.in(shell(from).ns().name(), List.of("curl", "-s", "-o", "/dev/null",
                "-w", "%{http_code}", "--max-time", String.valueOf(Math.max(1, timeout.toSeconds())),
                "http://" + host + ":" + port + path)), null, CMD);
        String code = r.stdout().trim();
        return r.exitCode() == 0 && code.matches("[1-9]\\d\\d") ? Integer.parseInt(code) : -1;
    }

    private Pod shell(Source from) {
        return switch (from.kind()) {
            case POD -> network.node(from.node()).client().pod();
            case NODE -> network.node(from.node()).shell();
            case EXTERNAL -> network.external();
        };
    }

    private static Reply reply(Probe p) {
        return switch (p.outcome()) {
            case OK -> Reply.answered(p.backend(), NetnsCluster.canonical(p.peer()), p.raw());
            case REFUSED -> Reply.failed(Reply.Outcome.REFUSED, p.raw());
            case TIMEOUT -> Reply.failed(Reply.Outcome.TIMEOUT, p.raw());
            default -> Reply.failed(Reply.Outcome.OTHER, p.raw());
        };
    }

    /** One INIT; the DNAT is read back from the conntrack entry of that flow on the node it crossed. */
    private Reply sctp(Source from, Pod shell, String address, int port) {
        Pod node = from.kind() == Source.Kind.EXTERNAL
                ? network.nodes().stream().filter(n -> n.ip4().equals(address) || n.ip6().equals(address))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("external SCTP only to a node address"))
                .shell()
                : network.node(from.node()).shell();
        List<String> filter = List.of("-p", "sctp", "--orig-dst", address, "--dport", String.valueOf(port));
        Exec.run(Exec.in(node.ns().name(), concat(List.of("conntrack", "-D"), filter)), null, CMD);   // 1 when none
        shell.sctpInit(address, port);
        String table = node.conntrack(filter.toArray(String[]::new));
        for (String line : table.lines().toList()) {
            int reply = line.indexOf("src=", line.indexOf("src=") + 1);
            if (reply < 0) {
                continue;
            }
            String replySrc = line.substring(reply + 4).split(" ")[0];
            String pod = podByIp.apply(replySrc);
            if (pod != null) {
                return Reply.answered(pod, null, line.strip());
            }
        }
        return Reply.failed(Reply.Outcome.TIMEOUT, "no DNAT to a pod in conntrack:\n" + table);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
