package io.svcproxy.chart;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM a user gets runs with the same options whichever way it is started: bin/svcproxy, the
 * image's JAVA_TOOL_OPTIONS, the chart's JAVA_TOOL_OPTIONS (its maxRAMPercentage at the default).
 * The bench measures the launcher's; this keeps the other two from drifting away from it.
 */
class JvmDefaultsTest {
    private static final Pattern OPTION = Pattern.compile("(?<=[\\s\"])-X[^\\s\"\\\\]+");

    @Test
    void launcherImageAndChartRunTheJvmWithTheSameOptions() throws IOException {
        List<String> launcher = options(between(Files.readString(Path.of("bin/svcproxy")), "exec java", "-jar"));
        List<String> image = options(between(Files.readString(Path.of("Dockerfile")), "ENV JAVA_TOOL_OPTIONS=", "\n"));
        String template = Files.readString(Path.of("charts/svcproxy/templates/daemonset.yaml"));
        String percentage = Files.readString(Path.of("charts/svcproxy/values.yaml"))
                .replaceAll("(?s).*\\n  maxRAMPercentage: (\\d+).*", "$1");
        List<String> chart = options(between(template, "name: JAVA_TOOL_OPTIONS", "\n            -")
                .replace("%v", percentage));
        assertTrue(launcher.contains("-XX:+UseSerialGC") && launcher.contains("-XX:MaxRAMPercentage=75"), launcher.toString());
        assertEquals(launcher, image, "Dockerfile JAVA_TOOL_OPTIONS");
        assertEquals(launcher, chart, "chart JAVA_TOOL_OPTIONS");
        assertTrue(Files.readString(Path.of("Dockerfile")).contains("MALLOC_ARENA_MAX=2"));
        assertTrue(template.contains("name: MALLOC_ARENA_MAX"));
    }

    private static String between(String text, String from, String to) {
        int i = text.indexOf(from);
        assertTrue(i >= 0, "no '" + from + "'");
        int j = text.indexOf(to, i + from.length());
        return " " + text.substring(i + from.length(), j < 0 ? text.length() : j) + " ";
    }

    private static List<String> options(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = OPTION.matcher(text.replace("\\\n", " "));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
