package io.svcproxy.diff;

import java.io.IOException;
import java.util.List;

/** The payload lines for one table; written as one "*table ... COMMIT" block, applied atomically. */
public record TableChanges(String table, List<RestoreLine> lines) {

    public TableChanges {
        lines = List.copyOf(lines);
    }

    public void writeTo(Appendable out) throws IOException {
        out.append('*').append(table).append('\n');
        for (RestoreLine line : lines) {
            line.appendTo(out);
        }
        out.append("COMMIT\n");
    }
}
