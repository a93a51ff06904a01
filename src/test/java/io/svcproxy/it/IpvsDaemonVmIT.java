package io.svcproxy.it;

import io.svcproxy.testing.KernelTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `svcproxy run --proxy-mode ipvs` end to end on a real IPVS kernel: boots ONE IPVS VM (as
 * {@link IpvsVmIT}, same skip-or-fail policy) and runs {@link IpvsDaemonVmSelfTest} there with the
 * packaged jar: programming, TCP/UDP traffic to three backends, draining, restart without a flush,
 * cleanup.
 */
@Tag("kernel")
class IpvsDaemonVmIT {
    private static final int VM_TIMEOUT_SECONDS = 420;

    @Test
    void theIpvsDaemonInTheIpvsVm() throws Exception {
        Path tool = IpvsVmIT.locateTool();
        if (tool == null) {
            KernelTestSupport.skipOrFail("IpvsDaemonVmIT cannot run: run-in-ipvs-vm.sh not found (looked in "
                    + "$SVCPROXY_IPVS_VM and ../shared/tools/ above " + Path.of("").toAbsolutePath() + ")");
        }
        if (!IpvsVmIT.isRoot()) {
            KernelTestSupport.skipOrFail("IpvsDaemonVmIT cannot run: not root (the IPVS VM tool needs root)");
        }
        if (!Files.isRegularFile(SvcproxyJar.JAR)) {
            throw new IllegalStateException(SvcproxyJar.JAR + " is missing: integration tests run after 'mvn package'");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(tool.toString(), "--timeout", String.valueOf(VM_TIMEOUT_SECONDS),
                "--mem", "1536", "--", java, "-D" + SvcproxyJar.PROPERTY + "=" + SvcproxyJar.JAR, "-cp", System.getProperty("java.class.path"),
                IpvsDaemonVmSelfTest.class.getName(), SvcproxyJar.JAR.toString()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[ipvs-daemon-vm] " + line);
                out.append(line).append('\n');
            }
        }
        if (!p.waitFor(VM_TIMEOUT_SECONDS + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("IPVS VM did not finish in " + (VM_TIMEOUT_SECONDS + 120) + " s");
        }
        int rc = p.exitValue();
        System.out.printf("[ipvs-daemon-vm] VM run (boot + daemon selftest + power off) took %.1f s, exit %d%n",
                (System.nanoTime() - t0) / 1e9, rc);
        if (rc == 125) {
            KernelTestSupport.skipOrFail("IpvsDaemonVmIT cannot run: the IPVS VM failed to boot (exit 125):\n" + out);
        }
        assertEquals(0, rc, "IPVS daemon selftest in the VM failed:\n" + out);
        assertTrue(out.toString().contains("IPVS DAEMON SELFTEST PASSED"), out.toString());
    }
}
