package io.svcproxy.iptables;

import java.util.List;
import java.util.Objects;

/**
 * One chain of one table. Rules are rule specs in the canonical form iptables-save prints, without
 * the leading "-A CHAIN " (e.g. {@code -d 10.96.0.1/32 -p tcp -m comment --comment "..." -j X}), so a
 * rendered rule and the one read back from the kernel compare equal as strings.
 *
 * @param policy the policy of a built-in chain ("ACCEPT", "DROP"), or "-" for a user chain
 */
public record Chain(String name, String policy, List<String> rules) {

    public Chain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        rules = List.copyOf(rules);
    }

    public static Chain user(String name, List<String> rules) {
        return new Chain(name, "-", rules);
    }

    public boolean builtin() {
        return !"-".equals(policy);
    }
}
