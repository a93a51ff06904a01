package io.svcproxy.diff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The difference between the kernel state and the plan: an iptables-restore --noflush payload per
 * table (only tables with changes), plus counts and a per-service summary for the readable diff.
 */
public final class ChangeSet {
    private final List<TableChanges> tables;
    private final List<ServiceChanges> services;
    private final ChangeCounts counts;
    /** Per changed table, the chains as the payload leaves them (see {@link RulesetDiff#apply}). */
    private final Map<String, RulesetDiff.TableResult> results;

    ChangeSet(List<TableChanges> tables, List<ServiceChanges> services, ChangeCounts counts,
              Map<String, RulesetDiff.TableResult> results) {
        this.tables = List.copyOf(tables);
        this.services = List.copyOf(services);
        this.counts = counts;
        this.results = Map.copyOf(results);
    }

    boolean hasResults() {
        return tables.stream().allMatch(t -> results.containsKey(t.table()));
    }

    Map<String, RulesetDiff.TableResult> results() {
        return results;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    public List<TableChanges> tables() {
        return tables;
    }

    public List<String> tableNames() {
        return tables.stream().map(TableChanges::table).toList();
    }

    /** Services in a stable order: node-wide changes first, then by "ns/name:port". */
    public List<ServiceChanges> services() {
        return services;
    }

    public ChangeCounts counts() {
        return counts;
    }

    /** Streams the whole payload (every changed table), for iptables-restore --noflush. */
    public void writeTo(Appendable out) throws IOException {
        for (TableChanges table : tables) {
            table.writeTo(out);
        }
    }

    /** Streams the payload of one table (nothing when the table has no changes). */
    public void writeTable(String table, Appendable out) throws IOException {
        for (TableChanges t : tables) {
            if (t.table().equals(table)) {
                t.writeTo(out);
            }
        }
    }

    /** The whole payload as one string; for tests and small dumps. */
    public String payload() {
        StringBuilder sb = new StringBuilder();
        try {
            writeTo(sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }
}
