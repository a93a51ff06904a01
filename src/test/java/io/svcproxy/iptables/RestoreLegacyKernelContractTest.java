package io.svcproxy.iptables;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;

/** The restore contract against the real legacy backend (LEGACY_V4) in a throw-away network namespace. */
@KernelTest(tools = {"iptables-legacy-save", "iptables-legacy-restore"})
class RestoreLegacyKernelContractTest extends RestoreContract {
    @Override
    Outcome run(String base, String payload, boolean noflush) {
        return RestoreKernelContracts.run(IptablesTool.LEGACY_V4, base, payload, noflush);
    }
}
