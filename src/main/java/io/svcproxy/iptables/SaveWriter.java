package io.svcproxy.iptables;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a {@link Ruleset} as iptables-save shaped text (without the "#" header and footer, and
 * with zero counters), for dumps, goldens and tests. Chains are written in the ruleset's order.
 */
public final class SaveWriter {
    private SaveWriter() {
    }

    public static String toText(Ruleset ruleset) {
        StringBuilder sb = new StringBuilder();
        write(ruleset, sb);
        return sb.toString();
    }

    public static void write(Ruleset ruleset, Appendable out) {
        try {
            for (Table table : ruleset.tables().values()) {
                writeTable(table, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeTable(Table table, Appendable out) throws IOException {
        out.append('*').append(table.name()).append('\n');
        for (Chain chain : table.chains().values()) {
            out.append(':').append(chain.name()).append(' ').append(chain.policy()).append(" [0:0]\n");
        }
        for (Chain chain : table.chains().values()) {
            for (String rule : chain.rules()) {
                appendRule(out, "-A", chain.name(), rule);
            }
        }
        out.append("COMMIT\n");
    }

    /** "-A CHAIN spec" (no trailing space for an empty spec). */
    static void appendRule(Appendable out, String command, String chain, String spec) throws IOException {
        out.append(command).append(' ').append(chain);
        if (!spec.isEmpty()) {
            out.append(' ').append(spec);
        }
        out.append('\n');
    }
}
