package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

/** Bad daemon flags stop start-up with one clear line and exit 1, before anything touches the node. */
class RunCommandFlagsTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void unsupportedOrMalformedValuesAreRefusedClearly() {
        String demo = "test-fixtures/demo/cluster.yaml";
        String[][] cases = {
            {"--proxy-mode", "userspace"},
            {"--ipvs-scheduler", "fastest"},
            {"--ipvs-tcp-timeout", "soon"},
            {"--ipvs-exclude-cidrs", "10.0.0.0/33"},
            {"--logging-format", "xml"},
            {"--sync-period", "soon"},
            {"--iptables-batch-services", "0"},
            {"--iptables-batch-services", "many"},
            {"--oom-score-adj", "5000"},
        };
        for (String[] c : cases) {
            // Bounded: if a bad value were accepted, the dry-run daemon would start and never return.
            String[] r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> run("run", "--cluster", demo, "--dry-run", c[0], c[1]));
            assertEquals("1", r[0], c[0] + " " + c[1] + ": " + r[1]);
            assertTrue(r[1].startsWith("svcproxy: "), r[1]);
            assertTrue(!r[1].contains("\tat "), "no stack trace: " + r[1]);
        }
    }
}
