package io.svcproxy.explain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the live rules and the planned ones differ on this packet's path: its fate (verdict,
 * endpoints and their probabilities, masquerade) and the rules it passes that only one side has.
 */
public final class PathDifferences {
    private static final double SAME = 1e-9;

    private PathDifferences() {
    }

    public static List<String> of(Explanation planned, Explanation live) {
        List<String> out = new ArrayList<>();
        if (planned.verdict() != live.verdict()) {
            out.add("verdict: planned " + planned.verdict() + ", live " + live.verdict());
        }
        Set<String> endpoints = new LinkedHashSet<>(planned.endpoints().keySet());
        endpoints.addAll(live.endpoints().keySet());
        for (String ep : endpoints) {
            double a = planned.endpoints().getOrDefault(ep, 0.0);
            double b = live.endpoints().getOrDefault(ep, 0.0);
            if (Math.abs(a - b) > SAME) {
                out.add(String.format(Locale.ROOT, "endpoint %s: planned p=%.4f, live p=%.4f", ep, a, b));
            }
        }
        if (!planned.masqueradeReasons().equals(live.masqueradeReasons())) {
            out.add("masquerade: planned " + reasons(planned) + ", live " + reasons(live));
        }
        Set<String> plannedRules = rules(planned);
        Set<String> liveRules = rules(live);
        for (String r : plannedRules) {
            if (!liveRules.contains(r)) {
                out.add("only planned: " + r);
            }
        }
        for (String r : liveRules) {
            if (!plannedRules.contains(r)) {
                out.add("only live: " + r);
            }
        }
        return out;
    }

    public static String render(Explanation planned, Explanation live) {
        List<String> diffs = of(planned, live);
        if (diffs.isEmpty()) {
            return "live and planned agree on this path\n";
        }
        StringBuilder sb = new StringBuilder("live and planned differ on this path:\n");
        diffs.forEach(d -> sb.append("  ").append(d).append('\n'));
        return sb.toString();
    }

    private static String reasons(Explanation e) {
        List<String> r = e.masqueradeReasons();
        return r.isEmpty() ? "no" : String.join("; ", r);
    }

    /** The rules the packet passes, as "where: rule", over all paths. */
    private static Set<String> rules(Explanation e) {
        Set<String> out = new LinkedHashSet<>();
        for (Path p : e.paths()) {
            for (Hop h : p.hops()) {
                out.add(h.where() + ": " + h.rule());
            }
        }
        return out;
    }
}
