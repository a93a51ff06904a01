package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/** What run, plan and cleanup do differently per proxy mode; {@link Dataplanes} picks one. */
interface ProxyModeWiring {

    /** `run`: opens the mode's kernel edges (with --dry-run: only reads them) and builds its dataplane. */
    ModeDaemon daemon(DaemonContext context, SnapshotSupplier source);

    /** `plan`: prints what this mode would change on {@code target}; returns the exit code. */
    int plan(PlanCommand command, ProxyConfig config, ClusterSnapshot snapshot, NodeTarget target,
             List<IpFamily> families) throws IOException;

    /** `cleanup`: removes this mode's leftovers from the node (a part whose kernel side is missing is skipped). */
    void cleanup(PrintWriter out, CommandRunner runner, String iptablesBackend);
}
