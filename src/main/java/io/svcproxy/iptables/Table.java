package io.svcproxy.iptables;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One table ("filter", "nat", "mangle", ...): its chains in order of declaration. */
public record Table(String name, Map<String, Chain> chains) {

    public Table {
        Objects.requireNonNull(name, "name");
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
    }

    public Chain chain(String chainName) {
        return chains.get(chainName);
    }

    public int ruleCount() {
        return chains.values().stream().mapToInt(c -> c.rules().size()).sum();
    }
}
