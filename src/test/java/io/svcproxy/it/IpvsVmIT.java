package io.svcproxy.it;

import io.svcproxy.netlink.ipvs.IpvsVmSelfTest;
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
 * IPVS through netlink against a real IPVS kernel: the host kernel has no IPVS, so this boots ONE
 * QEMU VM with shared/tools/run-in-ipvs-vm.sh (from the repository's sibling shared/ directory, or
 * $SVCPROXY_IPVS_VM) and runs {@link IpvsVmSelfTest} there from this test classpath: kube-ipvs0,
 * services and destinations through netlink, checked by dump and ipvsadm, TCP and UDP traffic to
 * the VIP from a client namespace to three backends, draining, deleting, the kernel's errnos.
 * A missing tool, not being root or a VM that fails to boot (exit 125) skips loudly, or fails
 * with SVCPROXY_REQUIRE_KERNEL_TESTS=1 (CI).
 */
@Tag("kernel")
class IpvsVmIT {
    private static final String TOOL_ENV = "SVCPROXY_IPVS_VM";
    private static final int VM_TIMEOUT_SECONDS = 600;

    @Test
    void ipvsThroughNetlinkInTheIpvsVm() throws Exception {
        Path tool = locateTool();
        if (tool == null) {
            KernelTestSupport.skipOrFail("IpvsVmIT cannot run: run-in-ipvs-vm.sh not found (looked in $" + TOOL_ENV
                    + " and ../shared/tools/ above " + Path.of("").toAbsolutePath() + ")");
        }
        if (!isRoot()) {
            KernelTestSupport.skipOrFail("IpvsVmIT cannot run: not root (the IPVS VM tool needs root)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(tool.toString(), "--timeout", String.valueOf(VM_TIMEOUT_SECONDS), "--",
                java, "-cp", System.getProperty("java.class.path"), IpvsVmSelfTest.class.getName()));
        runSelfTestInVm(argv, VM_TIMEOUT_SECONDS, "ipvs-vm", "IpvsVmIT", "IPVS selftest", "IPVS SELFTEST PASSED");
    }

    /**
     * Boots ONE IPVS VM and runs {@code main} there from this test classpath with the packaged jar as its
     * argument (and as -Dsvcproxy.jar), as root; a missing VM tool, not being root or a VM that does not
     * boot skips loudly, or fails with SVCPROXY_REQUIRE_KERNEL_TESTS=1. Shared by the VM ITs that run the jar.
     */
    static void runJarSelfTestInVm(String testName, Class<?> main, int timeoutSeconds, int memMb, String label,
                                   String what, String passed) throws Exception {
        Path tool = locateTool();
        if (tool == null) {
            KernelTestSupport.skipOrFail(testName + " cannot run: run-in-ipvs-vm.sh not found (looked in $" + TOOL_ENV
                    + " and ../shared/tools/ above " + Path.of("").toAbsolutePath() + ")");
        }
        if (!isRoot()) {
            KernelTestSupport.skipOrFail(testName + " cannot run: not root (the IPVS VM tool needs root)");
        }
        if (!Files.isRegularFile(SvcproxyJar.JAR)) {
            throw new IllegalStateException(SvcproxyJar.JAR + " is missing: integration tests run after 'mvn package'");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = List.of(tool.toString(), "--timeout", String.valueOf(timeoutSeconds),
                "--mem", String.valueOf(memMb), "--", java, "-D" + SvcproxyJar.PROPERTY + "=" + SvcproxyJar.JAR,
                "-cp", System.getProperty("java.class.path"), main.getName(), SvcproxyJar.JAR.toString());
        runSelfTestInVm(argv, timeoutSeconds, label, testName, what, passed);
    }

    /**
     * Runs the VM tool's argv (boot + one self-test program + power off), echoing every line with the
     * label; exit 125 (the VM did not boot) skips or fails as kernel tests do, anything else must be
     * exit 0 with {@code passed} printed. Shared by the IPVS VM ITs.
     */
    static void runSelfTestInVm(List<String> argv, int timeoutSeconds, String label, String testName, String what,
                                String passed) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[" + label + "] " + line);
                out.append(line).append('\n');
            }
        }
        if (!p.waitFor(timeoutSeconds + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("IPVS VM did not finish in " + (timeoutSeconds + 120) + " s");
        }
        int rc = p.exitValue();
        System.out.printf("[%s] VM run (boot + %s + power off) took %.1f s, exit %d%n", label, what,
                (System.nanoTime() - t0) / 1e9, rc);
        if (rc == 125) {
            KernelTestSupport.skipOrFail(testName + " cannot run: the IPVS VM failed to boot (exit 125):\n" + out);
        }
        assertEquals(0, rc, what + " in the VM failed:\n" + out);
        assertTrue(out.toString().contains(passed), out.toString());
    }

    static Path locateTool() {
        String configured = System.getenv(TOOL_ENV);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? p : null;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/tools/run-in-ipvs-vm.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.trim().split("\\s+")[2].equals("0"));
        } catch (Exception e) {
            return false;
        }
    }
}
