package io.svcproxy.it;

import io.svcproxy.netlink.ipvs.KernelIpvsClientContract;
import io.svcproxy.testing.KernelTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

/**
 * The IPVS client contract (IpvsClientContract: the scenarios FakeIpvsClientContractTest runs against
 * the fake) against the real kernel: boots the IPVS VM once, as IpvsVmIT does, and runs
 * {@link KernelIpvsClientContract} there from this test classpath. Skips loudly (or fails with
 * SVCPROXY_REQUIRE_KERNEL_TESTS=1) without the VM tool, root, or a booting VM.
 */
@Tag("kernel")
class IpvsClientContractVmIT {
    private static final int VM_TIMEOUT_SECONDS = 600;

    @Test
    void theFakesContractHoldsForTheKernel() throws Exception {
        Path tool = IpvsVmIT.locateTool();
        if (tool == null) {
            KernelTestSupport.skipOrFail("IpvsClientContractVmIT cannot run: run-in-ipvs-vm.sh not found");
        }
        if (!IpvsVmIT.isRoot()) {
            KernelTestSupport.skipOrFail("IpvsClientContractVmIT cannot run: not root (the IPVS VM tool needs root)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = List.of(tool.toString(), "--timeout", String.valueOf(VM_TIMEOUT_SECONDS), "--",
                java, "-cp", System.getProperty("java.class.path"), KernelIpvsClientContract.class.getName());
        IpvsVmIT.runSelfTestInVm(argv, VM_TIMEOUT_SECONDS, "ipvs-contract", "IpvsClientContractVmIT",
                "IPVS client contract", "IPVS CONTRACT PASSED");
    }
}
