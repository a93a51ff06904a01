package io.svcproxy.explain;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one branch of a walk: the packet as rewritten so far (destination after DNAT, the
 * mark), the probability of being on this branch, and what was seen. Immutable: each step returns a
 * new flow, so forks share nothing mutable.
 */
public record Flow(double probability, InetAddress destination, int port, long mark, String endpoint,
                   boolean masqueraded, String masqueradeReason, String affinity, List<Hop> hops) {
    public Flow {
        hops = List.copyOf(hops);
    }

    public static Flow start(Packet p) {
        return new Flow(1.0, p.destination(), p.port(), 0, null, false, null, null, List.of());
    }

    public Flow hop(Hop h) {
        List<Hop> more = new ArrayList<>(hops.size() + 1);
        more.addAll(hops);
        more.add(h);
        return new Flow(probability, destination, port, mark, endpoint, masqueraded, masqueradeReason, affinity, more);
    }

    public Flow scaled(double p) {
        return new Flow(probability * p, destination, port, mark, endpoint, masqueraded, masqueradeReason, affinity,
                hops);
    }

    public Flow withMark(long newMark) {
        return new Flow(probability, destination, port, newMark, endpoint, masqueraded, masqueradeReason, affinity,
                hops);
    }

    /** DNAT: the destination is now the endpoint. */
    public Flow dnat(InetAddress to, int toPort) {
        return new Flow(probability, to, toPort, mark, Addresses.hostPort(to, toPort), masqueraded, masqueradeReason,
                affinity, hops);
    }

    public Flow masquerade(String reason) {
        return new Flow(probability, destination, port, mark, endpoint, true, reason, affinity, hops);
    }

    /** Remembers why the packet will be masqueraded, before the MASQUERADE itself (a mark set). */
    public Flow masqueradeReason(String reason) {
        return new Flow(probability, destination, port, mark, endpoint, masqueraded, reason, affinity, hops);
    }

    public Flow withAffinity(String text) {
        return new Flow(probability, destination, port, mark, endpoint, masqueraded, masqueradeReason, text, hops);
    }

    public boolean dnatted() {
        return endpoint != null;
    }

    /** The path this flow ends as, with {@code verdict} (DELIVERED / NOT_A_SERVICE decided by the DNAT). */
    public Path end(Verdict verdict) {
        Verdict v = verdict != null ? verdict : dnatted() ? Verdict.DELIVERED : Verdict.NOT_A_SERVICE;
        return new Path(probability, hops, v, endpoint, masqueraded ? masqueradeReason : null, affinity);
    }
}
