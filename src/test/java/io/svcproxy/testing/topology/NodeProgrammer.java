package io.svcproxy.testing.topology;

import java.util.List;

/**
 * "Program the node": how a scenario gets svcproxy's rules into the node namespace. Either the
 * daemon ({@link Daemon}: {@code svcproxy run}) or the planned payload loaded by hand
 * ({@link PlannedRules}: {@code svcproxy plan --output restore | iptables-restore}), the same rules.
 */
public interface NodeProgrammer extends AutoCloseable {
    /** Programs the node from the cluster file with kube-proxy flags (beyond --cluster); returns once done. */
    void start(ClusterFile cluster, List<String> flags);

    /** Applies a change to the cluster file (change.run() rewrites it) and returns once the node follows it. */
    void update(Runnable change);

    /** Whether this programmer deletes stale conntrack entries itself (the daemon does; a bare restore does not). */
    boolean cleansConntrack();

    @Override
    void close();
}
