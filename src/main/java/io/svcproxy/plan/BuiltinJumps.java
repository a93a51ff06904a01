package io.svcproxy.plan;

import io.svcproxy.iptables.RuleSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jumps from built-in chains (kube-proxy's iptablesJumpChain), added in kube-proxy's order of
 * insertion: kube-proxy prepends each in turn, so per chain the last one added ends up first.
 */
public final class BuiltinJumps {
    private final Map<String, Map<String, List<String>>> added = new LinkedHashMap<>();

    public BuiltinJumps add(String table, String chain, RuleSpec rule) {
        added.computeIfAbsent(table, t -> new LinkedHashMap<>()).computeIfAbsent(chain, c -> new ArrayList<>())
                .add(rule.build());
        return this;
    }

    /** Per built-in chain of {@code table}, its jumps in the order they stand at the top of the chain. */
    public Map<String, List<String>> of(String table) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        added.getOrDefault(table, Map.of()).forEach((chain, rules) -> {
            List<String> copy = new ArrayList<>(rules);
            Collections.reverse(copy);
            out.put(chain, copy);
        });
        return out;
    }
}
