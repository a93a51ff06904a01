package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.LocalAddresses;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.explain.Explanation;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;

/** What run, plan and cleanup do differently per proxy mode; {@link Dataplanes} picks one. */
interface ProxyModeWiring {

    /** `run`: opens the mode's kernel edges (with --dry-run: only reads them) and builds its dataplane. */
    ModeDaemon daemon(DaemonContext context, SnapshotSupplier source);

    /** `plan`: prints what this mode would change on {@code target}; returns the exit code. */
    int plan(PlanCommand command, ProxyConfig config, ClusterSnapshot snapshot, NodeTarget target,
             List<IpFamily> families) throws IOException;

    /** `explain`: the packet's walk through the rules this mode would plan for {@code snapshot}. */
    default Explanation explainPlanned(ProxyConfig config, ClusterSnapshot snapshot, Packet packet, NodeFacts node,
                                       boolean tcpBeLiberal) {
        throw new IllegalArgumentException("explain does not support this proxy mode yet");
    }

    /** `explain --live`: the packet's walk through this node's kernel state as this mode reads it. */
    default Explanation explainLive(Packet packet, NodeFacts node, String iptablesBackend) {
        throw new IllegalArgumentException("explain --live does not support this proxy mode yet");
    }

    /**
     * `explain --live` without --node-ip: this node's addresses as the mode sees them (where its
     * NodePorts are, what counts as a local destination).
     */
    default List<InetAddress> liveNodeAddresses() {
        return LocalAddresses.list();
    }

    /** `cleanup`: removes this mode's leftovers from the node (a part whose kernel side is missing is skipped). */
    void cleanup(PrintWriter out, CommandRunner runner, String iptablesBackend);
}
