package io.svcproxy.testing.topology;

import io.svcproxy.it.SvcproxyJar;
import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.NetNs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Programs the node without the daemon: what the daemon would do on its first sync, done by hand
 * with the real jar's planner. The nfacct counters and route_localnet the rules rely on are set up
 * first; then {@code plan --against empty --output restore} is loaded with a plain iptables-restore,
 * and each update loads {@code plan --against live --output restore} with {@code --noflush}.
 * It does no conntrack cleanup.
 */
public final class PlannedRules implements NodeProgrammer {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private final Topology topology;
    private final IptablesTool tool;
    private ClusterFile cluster;
    private List<String> flags;
    private int firstPayloadBytes;

    public PlannedRules(Topology topology, IptablesTool tool) {
        this.topology = topology;
        this.tool = tool;
    }

    private String backend() {
        return tool.save.contains("legacy") ? "legacy" : "nft";
    }

    @Override
    public void start(ClusterFile clusterFile, List<String> kubeProxyFlags) {
        this.cluster = clusterFile;
        this.flags = List.copyOf(kubeProxyFlags);
        NetNs node = topology.node();
        for (String counter : List.of("localhost_nps_accepted_pkts", "ct_state_invalid_dropped_pkts")) {
            node.run("nfacct", "add", counter);   // exists already: fine
        }
        node.runChecked("sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1");
        String payload = plan("empty");
        firstPayloadBytes = payload.length();
        Exec.checked(Exec.in(node.name(), List.of(tool.restore)), payload, BOUND);
    }

    @Override
    public void update(Runnable change) {
        change.run();
        String payload = plan("live");
        if (!payload.isEmpty()) {
            Exec.checked(Exec.in(topology.node().name(), List.of(tool.restore, "--noflush")), payload, BOUND);
        }
    }

    public int firstPayloadBytes() {
        return firstPayloadBytes;
    }

    private String plan(String against) {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", cluster.path().toString(), "--against", against,
                "--iptables-backend", backend(), "--output", "restore"));
        args.addAll(flags);
        NetNs.Result r = Exec.run(SvcproxyJar.command(topology.node().name(), args), "", BOUND);
        if (r.exitCode() == 0) {
            return "";
        }
        if (r.exitCode() != 2) {
            throw new AssertionError("svcproxy plan exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    @Override
    public boolean cleansConntrack() {
        return false;
    }

    @Override
    public void close() {
        // the rules go with the namespace
    }
}
