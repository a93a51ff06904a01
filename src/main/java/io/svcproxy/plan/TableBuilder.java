package io.svcproxy.plan;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulates one iptables table's chains in declaration order; built-in chains first, as iptables
 * lists them. Shared by iptables mode and IPVS mode's glue.
 */
public final class TableBuilder {
    private final Map<String, List<String>> builtins = new LinkedHashMap<>();
    private final Map<String, List<String>> chains = new LinkedHashMap<>();

    public TableBuilder declare(String... names) {
        for (String chain : names) {
            chains.computeIfAbsent(chain, c -> new ArrayList<>());
        }
        return this;
    }

    public void add(String chain, String rule) {
        addAll(chain, List.of(rule));
    }

    public void addAll(String chain, List<String> rules) {
        List<String> target = chains.get(chain);
        if (target == null) {
            throw new IllegalStateException("rule for undeclared chain " + chain);
        }
        target.addAll(rules);
    }

    public void builtin(String chain, List<String> rules) {
        builtins.put(chain, rules);
    }

    public Table build(String name) {
        Map<String, Chain> out = new LinkedHashMap<>();
        builtins.forEach((c, rules) -> out.put(c, new Chain(c, "ACCEPT", rules)));
        chains.forEach((c, rules) -> out.put(c, Chain.user(c, rules)));
        return new Table(name, out);
    }
}
