package io.svcproxy.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The walk of one packet through one mode's rules: every possible path and the overall verdict. */
public record Explanation(Packet packet, String rules, List<Path> paths, List<String> notes) {
    public Explanation {
        paths = List.copyOf(paths);
        notes = List.copyOf(notes);
    }

    /**
     * DELIVERED when some path reaches an endpoint; otherwise the verdict of the likeliest path
     * (paths without endpoints do not fork, so they all share one verdict).
     */
    public Verdict verdict() {
        if (paths.stream().anyMatch(p -> p.verdict() == Verdict.DELIVERED)) {
            return Verdict.DELIVERED;
        }
        return paths.stream().max(java.util.Comparator.comparingDouble(Path::probability))
                .map(Path::verdict).orElse(Verdict.NOT_A_SERVICE);
    }

    /** Endpoint -> probability of landing there, summed over paths, in order of first appearance. */
    public Map<String, Double> endpoints() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Path p : paths) {
            if (p.endpoint() != null) {
                out.merge(p.endpoint(), p.probability(), Double::sum);
            }
        }
        return out;
    }

    /** Verdict -> probability over all paths. */
    public Map<Verdict, Double> verdicts() {
        Map<Verdict, Double> out = new LinkedHashMap<>();
        for (Path p : paths) {
            out.merge(p.verdict(), p.probability(), Double::sum);
        }
        return out;
    }

    public List<String> masqueradeReasons() {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            if (p.masquerade() != null && !out.contains(p.masquerade())) {
                out.add(p.masquerade());
            }
        }
        return out;
    }
}
