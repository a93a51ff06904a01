package io.svcproxy.diff.ipvs;

import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;

import java.util.List;
import java.util.Objects;

/**
 * The IPVS diff's result: the operations in the order to apply them, the next drain state, and the
 * UDP destinations removed (their conntrack entries must be flushed, or clients keep being sent to
 * a dead endpoint).
 */
public record IpvsChanges(List<IpvsOp> ops, DrainState drain, List<StaleUdpDestination> conntrackCleanup) {

    public IpvsChanges {
        ops = List.copyOf(ops);
        Objects.requireNonNull(drain, "drain");
        conntrackCleanup = List.copyOf(conntrackCleanup);
    }

    /** A removed UDP destination: flush conntrack entries to the service address:port DNATed to it. */
    public record StaleUdpDestination(VirtualServer.Key service, RealServer destination) {
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }
}
