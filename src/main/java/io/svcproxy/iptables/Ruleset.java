package io.svcproxy.iptables;

import io.svcproxy.model.IpFamily;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The netfilter state of one family as iptables-save shows it: tables of chains of rules. */
public record Ruleset(IpFamily family, Map<String, Table> tables) {

    public Ruleset {
        Objects.requireNonNull(family, "family");
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public static Ruleset empty(IpFamily family) {
        return new Ruleset(family, Map.of());
    }

    public Table table(String name) {
        return tables.get(name);
    }
}
