package io.svcproxy.explain;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An explanation as text for a person: the hops every path shares, then each path's own hops and
 * end, then the verdict with the endpoints' probabilities, masquerade and affinity.
 */
public final class ExplanationText {
    private ExplanationText() {
    }

    public static String render(Explanation e) {
        StringBuilder sb = new StringBuilder();
        Packet p = e.packet();
        sb.append("packet: ").append(p.text()).append(", first packet of a new connection, ")
                .append(p.origin().description());
        if (p.inInterface() != null) {
            sb.append(", in on ").append(p.inInterface());
        }
        sb.append('\n').append("rules: ").append(e.rules()).append("\n\n");
        List<Path> paths = e.paths();
        int common = commonPrefix(paths);
        if (!paths.isEmpty()) {
            hops(sb, paths.get(0).hops().subList(0, common), "  ");
        }
        if (paths.size() > 1) {
            int suffix = commonSuffix(paths, common);
            sb.append("  then ").append(paths.size()).append(" paths:\n");
            int n = 1;
            for (Path path : paths) {
                sb.append("  path ").append(n++).append(" (p=").append(prob(path.probability())).append("): ")
                        .append(end(path)).append('\n');
                hops(sb, path.hops().subList(common, path.hops().size() - suffix), "    ");
            }
            if (suffix > 0) {
                sb.append("  then, on every path:\n");
                List<Hop> last = paths.get(0).hops();
                hops(sb, last.subList(last.size() - suffix, last.size()), "  ");
            }
        } else if (paths.size() == 1) {
            sb.append("  => ").append(end(paths.get(0))).append('\n');
        }
        sb.append('\n').append("verdict: ").append(e.verdict()).append('\n');
        Map<String, Double> endpoints = e.endpoints();
        for (Map.Entry<String, Double> ep : endpoints.entrySet()) {
            sb.append("  ").append(ep.getKey()).append("  p=").append(prob(ep.getValue())).append('\n');
        }
        Map<Verdict, Double> verdicts = e.verdicts();
        if (verdicts.size() > 1) {
            for (Map.Entry<Verdict, Double> v : verdicts.entrySet()) {
                sb.append("  ").append(v.getKey()).append("  p=").append(prob(v.getValue())).append('\n');
            }
        }
        Map<String, Double> masq = new java.util.LinkedHashMap<>();
        for (Path path : paths) {
            if (path.masquerade() != null) {
                masq.merge(path.masquerade(), path.probability(), Double::sum);
            }
        }
        double total = paths.stream().mapToDouble(Path::probability).sum();
        if (masq.isEmpty()) {
            sb.append("masquerade: no\n");
        }
        for (Map.Entry<String, Double> m : masq.entrySet()) {
            boolean always = Math.abs(m.getValue() - total) < 1e-9;
            sb.append("masquerade").append(always ? "" : " (p=" + prob(m.getValue()) + ")").append(": ")
                    .append(m.getKey()).append('\n');
        }
        paths.stream().map(Path::affinity).filter(a -> a != null).distinct().findFirst()
                .ifPresent(a -> sb.append("affinity: ").append(a).append('\n'));
        long unknown = paths.stream().flatMap(x -> x.hops().stream())
                .filter(h -> h.note() != null && h.note().startsWith("not evaluated")).map(Hop::rule).distinct()
                .count();
        if (unknown > 0) {
            sb.append("not evaluated: ").append(unknown).append(" rule(s) needing state we cannot know (marked above)\n");
        }
        for (String note : e.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        return sb.toString();
    }

    private static void hops(StringBuilder sb, List<Hop> hops, String indent) {
        for (Hop h : hops) {
            sb.append(indent).append(h.where()).append(h.foreign() ? " (foreign)" : "").append(": ")
                    .append(h.rule()).append('\n');
            if (h.note() != null) {
                sb.append(indent).append("    -> ").append(h.note()).append('\n');
            }
        }
    }

    private static String end(Path p) {
        return switch (p.verdict()) {
            case DELIVERED -> "DNAT to " + p.endpoint() + (p.masquerade() != null ? ", masqueraded" : "");
            case REJECTED -> "REJECTED";
            case DROPPED -> "DROPPED";
            case NOT_A_SERVICE -> "not a service address: goes on untouched"
                    + (p.masquerade() != null ? ", masqueraded" : "");
        };
    }

    static String prob(double p) {
        return String.format(Locale.ROOT, "%.4f", p);
    }

    /** Hops every path ends with (the filter and postrouting walk after the DNAT), past the common prefix. */
    private static int commonSuffix(List<Path> paths, int prefix) {
        int n = Integer.MAX_VALUE;
        List<Hop> first = paths.get(0).hops();
        for (Path p : paths) {
            List<Hop> h = p.hops();
            int i = 0;
            while (i < h.size() - prefix && i < first.size() - prefix
                    && h.get(h.size() - 1 - i).equals(first.get(first.size() - 1 - i))) {
                i++;
            }
            n = Math.min(n, i);
        }
        return n;
    }

    private static int commonPrefix(List<Path> paths) {
        if (paths.isEmpty()) {
            return 0;
        }
        List<Hop> first = paths.get(0).hops();
        int n = first.size();
        for (Path p : paths) {
            int i = 0;
            while (i < n && i < p.hops().size() && p.hops().get(i).equals(first.get(i))) {
                i++;
            }
            n = i;
        }
        return n;
    }
}
