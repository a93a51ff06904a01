package io.svcproxy.chart;

import io.svcproxy.testing.KernelTestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * shellcheck over the project's shell scripts: scripts/*.sh, e2e/**&#47;*.sh, .ci/run, bin/svcproxy.
 * shellcheck comes from scripts/install-test-deps.sh (Debian); without it the test is skipped loudly,
 * or fails when SVCPROXY_REQUIRE_KERNEL_TESTS=1 (CI), like the kernel tests.
 */
class ShellScriptsTest {
    private static final Path ROOT = HelmChart.chartDir().getParent().getParent();

    static List<Path> scripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("scripts"))) {
            s.filter(p -> p.toString().endsWith(".sh")).forEach(scripts::add);
        }
        try (Stream<Path> s = Files.walk(ROOT.resolve("e2e"))) {
            s.filter(p -> p.toString().endsWith(".sh")).forEach(scripts::add);
        }
        scripts.add(ROOT.resolve(".ci/run"));
        scripts.add(ROOT.resolve("bin/svcproxy"));
        scripts.sort(null);
        return scripts;
    }

    @Test
    void shellcheckFindsNothing() throws Exception {
        Path shellcheck = KernelTestSupport.findTool("shellcheck");
        if (shellcheck == null) {
            String message = "shellcheck not found (run scripts/install-test-deps.sh as root)";
            if ("1".equals(System.getenv(KernelTestSupport.REQUIRE_ENV))) {
                throw new AssertionError(message + " (" + KernelTestSupport.REQUIRE_ENV + "=1 forbids skipping)");
            }
            System.err.println("!!!!! SKIPPED ShellScriptsTest: " + message);
            Assumptions.abort(message);
        }
        List<Path> scripts = scripts();
        assertTrue(scripts.stream().anyMatch(p -> p.endsWith("e2e/kind/run.sh")), scripts.toString());
        List<String> cmd = new ArrayList<>(List.of(shellcheck.toString(), "--external-sources", "--format=gcc"));
        scripts.forEach(p -> cmd.add(p.toString()));
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "shellcheck:\n" + out);
    }
}
