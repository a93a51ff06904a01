package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class PlanCommandTest {
    private static final String DEMO = "test-fixtures/demo/cluster.yaml";

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoAgainstAnEmptyNodePlansChangesGroupedByService() {
        Run r = run("plan", "--cluster", DEMO, "--cluster-cidr", "10.244.0.0/16,fd00:10:244::/56", "--color", "never");
        assertEquals(ExitCodes.CHANGES, r.code(), r.err());
        assertTrue(r.out().contains("+ default/kubernetes:https"), r.out());
        assertTrue(r.out().contains("# IPv6"), "dual-stack demo shows both families");
        assertFalse(r.out().contains("\u001b["), "no colour when not asked");
    }

    @Test
    void aNodeThatAlreadyHoldsThePlanNeedsNoChange(@TempDir Path tmp) throws Exception {
        Run restore = run("plan", "--cluster", DEMO, "--output", "restore", "--ip-family", "4");
        assertEquals(ExitCodes.CHANGES, restore.code(), restore.err());
        Path dump = tmp.resolve("node.rules");
        Files.writeString(dump, restore.out());

        Run again = run("plan", "--cluster", DEMO, "--against", dump.toString(), "--output", "restore");
        assertEquals(ExitCodes.NO_CHANGES, again.code(), again.err() + again.out());
        assertEquals("", again.out());
    }

    @Test
    void errorsAreOneClearLineAndExitOne(@TempDir Path tmp) throws Exception {
        Run missing = run("plan", "--cluster", tmp.resolve("nope.yaml").toString());
        assertEquals(ExitCodes.ERROR, missing.code());
        assertTrue(missing.err().startsWith("svcproxy: "), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace: " + missing.err());

        Run badFlag = run("plan", "--cluster", DEMO, "--iptables-masquerade-bit", "x");
        assertEquals(ExitCodes.ERROR, badFlag.code());

        Run badCidr = run("plan", "--cluster", DEMO, "--cluster-cidr", "10.0.0.0/33");
        assertEquals(ExitCodes.ERROR, badCidr.code());
        assertTrue(badCidr.err().contains("clusterCIDR") && badCidr.err().contains("10.0.0.0/33"), badCidr.err());

        Run badAgainst = run("plan", "--cluster", DEMO, "--against", "somewhere");
        assertEquals(ExitCodes.ERROR, badAgainst.code());
        assertTrue(badAgainst.err().contains("--against"), badAgainst.err());
    }

    @Test
    void badObjectsGiveOneWarningEachAndTheRestIsPlanned() {
        Run r = run("plan", "--cluster", "test-fixtures/source/bad-objects.yaml", "--output", "restore");
        assertEquals(ExitCodes.CHANGES, r.code(), r.err());
        List<String> warnings = r.err().lines().toList();
        assertTrue(warnings.size() >= 20, r.err());
        assertTrue(warnings.stream().allMatch(w -> w.startsWith("warning: ")), r.err());
        // No user text reaches a rule unescaped: nothing in the payload but our own rules.
        assertTrue(r.out().lines().filter(l -> l.startsWith("-A ")).noneMatch(l -> l.contains("-j ACCEPT\"")));
        assertFalse(r.out().contains("INPUT -j ACCEPT"), r.out());
        assertFalse(r.out().contains("web/quote-label"), "a rejected service has no rules");
        assertTrue(r.out().contains("KUBE-SVC-"), "valid services in the same file are planned");
    }

    @Test
    void helpAndVersionWork() {
        assertEquals(0, run("--help").code());
        assertEquals(0, run("--version").code());
        assertTrue(run("plan", "--help").out().contains("--nodeport-addresses"));
    }
}
