package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

/** --proxy-mode nftables is understood, and refused honestly until the nftables dataplane is in. */
class NftablesModeTest {
    private static final String DEMO = "test-fixtures/demo/cluster.yaml";
    private static final String REFUSAL = "svcproxy: nftables mode: not available in this build yet\n";

    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void runRefusesItBeforeTouchingTheNode() {
        // Bounded: if the mode were accepted, the dry-run daemon would start and never return.
        String[] r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run("run", "--cluster", DEMO, "--dry-run", "--proxy-mode", "nftables"));
        assertEquals("1", r[0], r[1]);
        assertEquals(REFUSAL, r[1]);
    }

    @Test
    void planRefusesIt() {
        String[] r = run("plan", "--cluster", DEMO, "--proxy-mode", "nftables");
        assertEquals("1", r[0], r[1]);
        assertEquals(REFUSAL, r[1]);
    }
}
