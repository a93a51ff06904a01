package io.svcproxy.explain;

import static io.svcproxy.json.JsonStrings.quote;

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
        sb.append("{\"packet\":{\"source\":").append(quote(Addresses.text(p.source())))
                .append(",\"destination\":").append(quote(Addresses.text(p.destination())))
                .append(",\"port\":").append(p.port())
                .append(",\"protocol\":").append(quote(p.protocol().lower()))
                .append(",\"inInterface\":").append(p.inInterface() == null ? "null" : quote(p.inInterface()))
                .append(",\"origin\":").append(quote(p.origin().name().toLowerCase())).append('}');
        sb.append(",\"rules\":").append(quote(e.rules()));
        sb.append(",\"verdict\":").append(quote(e.verdict().name()));
        sb.append(",\"endpoints\":{");
        boolean first = true;
        for (Map.Entry<String, Double> ep : e.endpoints().entrySet()) {
            sb.append(first ? "" : ",").append(quote(ep.getKey())).append(':').append(ep.getValue());
            first = false;
        }
        sb.append("},\"masquerade\":");
        strings(sb, e.masqueradeReasons());
        sb.append(",\"paths\":[");
        first = true;
        for (Path path : e.paths()) {
            sb.append(first ? "" : ",").append("{\"probability\":").append(path.probability())
                    .append(",\"verdict\":").append(quote(path.verdict().name()))
                    .append(",\"endpoint\":").append(path.endpoint() == null ? "null" : quote(path.endpoint()))
                    .append(",\"masquerade\":").append(path.masquerade() == null ? "null" : quote(path.masquerade()))
                    .append(",\"affinity\":").append(path.affinity() == null ? "null" : quote(path.affinity()))
                    .append(",\"hops\":[");
            boolean firstHop = true;
            for (Hop h : path.hops()) {
                sb.append(firstHop ? "" : ",").append("{\"where\":").append(quote(h.where()))
                        .append(",\"rule\":").append(quote(h.rule()))
                        .append(",\"foreign\":").append(h.foreign())
                        .append(",\"note\":").append(h.note() == null ? "null" : quote(h.note())).append('}');
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
            sb.append(i == 0 ? "" : ",").append(quote(items.get(i)));
        }
        sb.append(']');
    }
}
