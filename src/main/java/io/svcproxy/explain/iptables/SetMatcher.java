package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Packet;

/**
 * Answers {@code -m set --match-set NAME FLAGS} for a flow. iptables mode has no ipsets of its own,
 * so by default every set match is "not evaluated"; IPVS mode hands in its planned ipsets.
 */
public interface SetMatcher {
    SetMatcher NONE = (name, flags, packet, flow) -> new Test.Unknown("ipset " + name + " is not read");

    Test match(String set, String flags, Packet packet, Flow flow);
}
