package io.svcproxy.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small strict parser of the Prometheus text format (0.0.4) for tests: every sample must belong to
 * a family declared by a preceding # TYPE line (histograms: _bucket with le, _sum, _count), names and
 * labels must be well-formed, values must parse, no family may be declared twice.
 */
final class TextFormat {
    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String type, String help, List<Sample> samples) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

    private TextFormat() {
    }

    static Map<String, Family> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("exposition must end with a newline");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new TreeMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                require(NAME.matcher(p[0]).matches(), line);
                help.put(p[0], p.length > 1 ? p[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                require(p.length == 2 && NAME.matcher(p[0]).matches(), line);
                require(List.of("counter", "gauge", "histogram", "summary", "untyped").contains(p[1]), line);
                require(!families.containsKey(p[0]), "family declared twice: " + line);
                families.put(p[0], new Family(p[0], p[1], help.getOrDefault(p[0], ""), new ArrayList<>()));
            } else if (line.startsWith("#")) {
                continue;
            } else {
                Matcher m = SAMPLE.matcher(line);
                require(m.matches(), line);
                Map<String, String> labels = labels(m.group(3) == null ? "" : m.group(3), line);
                double value = value(m.group(4), line);
                Family f = owner(families, m.group(1), labels, line);
                f.samples().add(new Sample(m.group(1), labels, value));
            }
        }
        return families;
    }

    private static Family owner(Map<String, Family> families, String name, Map<String, String> labels, String line) {
        Family f = families.get(name);
        if (f != null && !f.type().equals("histogram")) {
            return f;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                Family h = families.get(name.substring(0, name.length() - suffix.length()));
                if (h != null && h.type().equals("histogram")) {
                    require(!suffix.equals("_bucket") || labels.containsKey("le"), "bucket without le: " + line);
                    return h;
                }
            }
        }
        throw new IllegalArgumentException("sample of no declared family: " + line);
    }

    private static Map<String, String> labels(String text, String line) {
        Map<String, String> labels = new TreeMap<>();
        if (text.isEmpty()) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int pos = 0;
        while (pos < text.length()) {
            require(m.find(pos) && m.start() == pos, "bad labels: " + line);
            require(labels.put(m.group(1), m.group(2)) == null, "duplicate label: " + line);
            pos = m.end();
            if (pos < text.length()) {
                require(text.charAt(pos) == ',', "bad labels: " + line);
                pos++;
            }
        }
        return labels;
    }

    private static double value(String text, String line) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad value: " + line);
                }
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }
}
