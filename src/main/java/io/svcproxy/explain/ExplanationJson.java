package io.svcproxy.explain;

import java.util.List;
import java.util.Map;

/** An explanation as JSON for scripts: the packet, the verdict, endpoint probabilities and every path's hops. */
public final class ExplanationJson {
    private ExplanationJson() {
    }

    public static String render(Explanation e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e);
        return sb.toString();
    }

    /** {"planned": ..., "live": ..., "differences": [...]}. */
    public static String renderBoth(Explanation planned, Explanation live) {
        StringBuilder sb = new StringBuilder("{\"planned\":");
        write(sb, planned);
        sb.append(",\"live\":");
        write(sb, live);
        sb.append(",\"differences\":");
        strings(sb, PathDifferences.of(planned, live));
        return sb.append('}').toString();
    }

    private static void write(StringBuilder sb, Explanation e) {
        Packet p = e.packet();
        sb.append("{\"packet\":{\"source\":").append(q(Addresses.text(p.source())))
                .append(",\"destination\":").append(q(Addresses.text(p.destination())))
                .append(",\"port\":").append(p.port())
                .append(",\"protocol\":").append(q(p.protocol().lower()))
                .append(",\"inInterface\":").append(p.inInterface() == null ? "null" : q(p.inInterface()))
                .append(",\"origin\":").append(q(p.origin().name().toLowerCase())).append('}');
        sb.append(",\"rules\":").append(q(e.rules()));
        sb.append(",\"verdict\":").append(q(e.verdict().name()));
        sb.append(",\"endpoints\":{");
        boolean first = true;
        for (Map.Entry<String, Double> ep : e.endpoints().entrySet()) {
            sb.append(first ? "" : ",").append(q(ep.getKey())).append(':').append(ep.getValue());
            first = false;
        }
        sb.append("},\"masquerade\":");
        strings(sb, e.masqueradeReasons());
        sb.append(",\"paths\":[");
        first = true;
        for (Path path : e.paths()) {
            sb.append(first ? "" : ",").append("{\"probability\":").append(path.probability())
                    .append(",\"verdict\":").append(q(path.verdict().name()))
                    .append(",\"endpoint\":").append(path.endpoint() == null ? "null" : q(path.endpoint()))
                    .append(",\"masquerade\":").append(path.masquerade() == null ? "null" : q(path.masquerade()))
                    .append(",\"affinity\":").append(path.affinity() == null ? "null" : q(path.affinity()))
                    .append(",\"hops\":[");
            boolean firstHop = true;
            for (Hop h : path.hops()) {
                sb.append(firstHop ? "" : ",").append("{\"where\":").append(q(h.where()))
                        .append(",\"rule\":").append(q(h.rule()))
                        .append(",\"foreign\":").append(h.foreign())
                        .append(",\"note\":").append(h.note() == null ? "null" : q(h.note())).append('}');
                firstHop = false;
            }
            sb.append("]}");
            first = false;
        }
        sb.append("],\"notes\":");
        strings(sb, e.notes());
        sb.append('}');
    }

    private static void strings(StringBuilder sb, List<String> items) {
        sb.append('[');
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(q(items.get(i)));
        }
        sb.append(']');
    }

    static String q(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
