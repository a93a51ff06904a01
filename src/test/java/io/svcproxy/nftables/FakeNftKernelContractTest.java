package io.svcproxy.nftables;

import io.svcproxy.testing.FakeNftKernel;

/** The fake nf_tables kernel passes the scenarios the real one does (NftKernelContract). */
class FakeNftKernelContractTest extends NftKernelContract {
    private final FakeNftKernel kernel = new FakeNftKernel();

    @Override
    protected NftKernel kernel() {
        return kernel;
    }
}
