package io.svcproxy.explain;

import java.util.List;

/**
 * One possible fate of the packet, with its probability (random choices fork the walk).
 *
 * @param endpoint     "ip:port" it is DNATed to, or null
 * @param masquerade   why it is masqueraded (source NAT to the node's address), or null when it is not
 * @param affinity     session affinity on this path ("sticky for 600 s"), or null
 */
public record Path(double probability, List<Hop> hops, Verdict verdict, String endpoint, String masquerade,
                   String affinity) {
    public Path {
        hops = List.copyOf(hops);
    }
}
