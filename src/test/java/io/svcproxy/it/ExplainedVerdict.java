package io.svcproxy.it;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What `svcproxy explain` printed, read back: the verdict, the endpoints with their probabilities, masquerade. */
record ExplainedVerdict(String verdict, Map<String, Double> endpoints, boolean masquerade, boolean affinity,
                        boolean agrees, String text) {
    private static final Pattern ENDPOINT = Pattern.compile("^  (\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+)  p=([0-9.]+)$");

    static ExplainedVerdict parse(String text) {
        String verdict = null;
        Map<String, Double> endpoints = new LinkedHashMap<>();
        boolean masq = false;
        boolean affinity = false;
        boolean live = !text.contains("=== live ===");
        for (String line : text.lines().toList()) {
            if (line.equals("=== live ===")) {
                live = true;
                endpoints.clear();
                masq = false;
            }
            if (!live) {
                continue;
            }
            if (line.startsWith("verdict: ")) {
                verdict = line.substring("verdict: ".length());
            }
            Matcher m = ENDPOINT.matcher(line);
            if (m.matches()) {
                endpoints.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            if (line.startsWith("masquerade") && !line.equals("masquerade: no")) {
                masq = true;
            }
            affinity |= line.startsWith("affinity: sticky");
        }
        return new ExplainedVerdict(verdict, endpoints, masq, affinity, text.contains("live and planned agree on this path"),
                text);
    }
}
