package io.svcproxy.explain.iptables;

import java.util.List;

/** A rule spec read into its matches and its target; {@code text} is the spec as iptables-save prints it. */
record ParsedRule(String text, List<Condition> conditions, Target target) {
    ParsedRule {
        conditions = List.copyOf(conditions);
    }
}
