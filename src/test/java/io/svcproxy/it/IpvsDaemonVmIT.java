package io.svcproxy.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;


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
        IpvsVmIT.runJarSelfTestInVm("IpvsDaemonVmIT", IpvsDaemonVmSelfTest.class, VM_TIMEOUT_SECONDS, 1536,
                "ipvs-daemon-vm", "IPVS daemon selftest", "IPVS DAEMON SELFTEST PASSED");
    }
}
