package io.svcproxy.iptables;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;

/** The restore contract against the real nft backend (NFT_V4) in a throw-away network namespace. */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore"})
class RestoreNftKernelContractTest extends RestoreContract {
    @Override
    Outcome run(String base, String payload, boolean noflush) {
        return RestoreKernelContracts.run(IptablesTool.NFT_V4, base, payload, noflush);
    }

    @Override
    boolean withoutNoflushUndeclaredBuiltinPolicyIsReset() {
        return true;
    }
}
