package io.svcproxy.it;

import io.svcproxy.testing.KernelTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


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
        IpvsVmIT.runSelfTestInVm(argv, VM_TIMEOUT_SECONDS, "ipvs-daemon-vm", "IpvsDaemonVmIT", "IPVS daemon selftest",
                "IPVS DAEMON SELFTEST PASSED");
    }
}
