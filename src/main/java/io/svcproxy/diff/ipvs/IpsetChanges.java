package io.svcproxy.diff.ipvs;

import java.util.List;

/**
 * The ipset side of a sync, as "ipset restore" lines: {@code apply} runs before the iptables glue is
 * loaded (sets must exist before a rule names them), {@code destroyAfter} after it (a set still
 * referenced by a rule cannot be destroyed).
 */
public record IpsetChanges(List<String> apply, List<String> destroyAfter) {
    public IpsetChanges {
        apply = List.copyOf(apply);
        destroyAfter = List.copyOf(destroyAfter);
    }

    public boolean isEmpty() {
        return apply.isEmpty() && destroyAfter.isEmpty();
    }

    public static String payload(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
