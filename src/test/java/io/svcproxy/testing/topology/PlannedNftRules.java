package io.svcproxy.testing.topology;

import io.svcproxy.it.SvcproxyJar;
import io.svcproxy.testing.NetNs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * nftables mode without the daemon: the real jar's planner, loaded with the nft binary. The start
 * loads {@code plan --proxy-mode nftables --output nft} (the complete tables); each update loads
 * {@code plan --against live} (the diff against what the kernel holds, as nft commands). No
 * conntrack cleanup.
 */
public final class PlannedNftRules implements NodeProgrammer {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private final Topology topology;
    private ClusterFile cluster;
    private List<String> flags;

    public PlannedNftRules(Topology topology) {
        this.topology = topology;
    }

    @Override
    public void start(ClusterFile clusterFile, List<String> kubeProxyFlags) {
        this.cluster = clusterFile;
        this.flags = List.copyOf(kubeProxyFlags);
        load(plan("empty", "nft"));
    }

    @Override
    public void update(Runnable change) {
        change.run();
        String diff = plan("live", "diff");
        if (!diff.isEmpty()) {
            load(diff);
        }
    }

    private void load(String nft) {
        Exec.checked(Exec.in(topology.node().name(), List.of("nft", "-f", "-")), nft, BOUND);
    }

    private String plan(String against, String output) {
        List<String> args = new ArrayList<>(List.of("plan", "--proxy-mode", "nftables", "--cluster",
                cluster.path().toString(), "--against", against, "--output", output));
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
        // the tables go with the namespace
    }
}
