package io.svcproxy.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * `svcproxy explain --live` in IPVS mode against the kernel: the host has no IPVS, so this boots ONE
 * IPVS VM (as {@link IpvsVmIT}, same skip-or-fail policy) and runs {@link ExplainIpvsTrafficVmSelfTest}
 * there with the packaged jar: random clusters programmed by the IPVS daemon, each packet explained
 * (live, and planned from the cluster file: they must agree) and then sent for real from the client pod,
 * the node or the external host; the backend reached is one explain named (and conntrack shows it), the
 * counts are exactly what rr gives, rejected and dropped packets are, masquerade is what the backend sees.
 */
@Tag("kernel")
class ExplainIpvsTrafficVmIT {
    private static final int VM_TIMEOUT_SECONDS = 480;

    @Test
    void realPacketsGoWhereExplainSaysInTheIpvsVm() throws Exception {
        IpvsVmIT.runJarSelfTestInVm("ExplainIpvsTrafficVmIT", ExplainIpvsTrafficVmSelfTest.class, VM_TIMEOUT_SECONDS,
                2048, "ipvs-explain-vm", "IPVS explain selftest", "IPVS EXPLAIN SELFTEST PASSED");
    }
}
