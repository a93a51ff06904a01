package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;

/** One match of a rule ({@code -d CIDR}, {@code -m mark --mark V/M}, ...), evaluated against a flow. */
interface Condition {
    Test test(Packet packet, Flow flow, NodeFacts node, SetMatcher sets);
}
