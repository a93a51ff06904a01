package io.svcproxy.apply;

import io.svcproxy.diff.ChangeSet;
import io.svcproxy.iptables.RestoreSimulator;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.IpFamily;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A faithful in-memory iptables: payloads go through the strict restore simulator (a jump to a
 * missing chain, or deleting a referenced chain, is refused like the kernel refuses it).
 */
public final class FakeIptables implements IptablesRestorer {
    private final Map<IpFamily, Ruleset> state = new EnumMap<>(IpFamily.class);
    public final List<String> payloads = new ArrayList<>();
    public int saves;
    public int failNextRestores;

    public FakeIptables() {
        for (IpFamily f : IpFamily.values()) {
            state.put(f, Ruleset.empty(f));
        }
    }

    public Ruleset state(IpFamily family) {
        return state.get(family);
    }

    public void set(IpFamily family, Ruleset ruleset) {
        state.put(family, ruleset);
    }

    @Override
    public Ruleset save(IpFamily family) {
        saves++;
        return state.get(family);
    }

    @Override
    public long restore(IpFamily family, ChangeSet changes) {
        if (failNextRestores > 0) {
            failNextRestores--;
            throw new RestoreException("injected failure", 0, "");
        }
        String payload = changes.payload();
        payloads.add(payload);
        state.put(family, RestoreSimulator.apply(state.get(family), payload, true));
        return payload.length();
    }

    @Override
    public boolean chainExists(IpFamily family, String table, String chain) {
        Table t = state.get(family).table(table);
        return t != null && t.chain(chain) != null;
    }
}
