package io.svcproxy.diff;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.Table;
import io.svcproxy.plan.IptablesPlan;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The plan "against empty": a self-contained payload for a fresh node that a plain (flushing)
 * iptables-restore accepts. Every table of the plan, ":INPUT ACCEPT [0:0]"-style lines for the
 * built-in chains it uses, every chain declared before any rule, then the rules in desired order.
 */
public final class CompletePayload {
    private CompletePayload() {
    }

    public static void write(IptablesPlan plan, Appendable out) throws IOException {
        for (Table table : plan.desired().tables().values()) {
            out.append('*').append(table.name()).append('\n');
            for (Chain chain : table.chains().values()) {
                String policy = isBuiltin(chain) ? (chain.builtin() ? chain.policy() : "ACCEPT") : "-";
                out.append(':').append(chain.name()).append(' ').append(policy).append(" [0:0]\n");
            }
            for (Chain chain : table.chains().values()) {
                for (String rule : chain.rules()) {
                    new RestoreLine.AppendRule(chain.name(), rule).appendTo(out);
                }
            }
            out.append("COMMIT\n");
        }
    }

    public static String toText(IptablesPlan plan) {
        StringBuilder sb = new StringBuilder();
        try {
            write(plan, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    private static boolean isBuiltin(Chain chain) {
        return chain.builtin() || Ownership.isBuiltin(chain.name());
    }
}
