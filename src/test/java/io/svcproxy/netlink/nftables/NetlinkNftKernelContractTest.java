package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.NftKernel;
import io.svcproxy.nftables.NftKernelContract;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The real kernel, through our codec in a fresh namespace per scenario, passes the contract the fake passes. */
@KernelTest
class NetlinkNftKernelContractTest extends NftKernelContract {
    private NetNs ns;
    private NetlinkNftKernel kernel;

    @BeforeEach
    void setUp() {
        ns = NetNs.create();
        kernel = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get());
    }

    @AfterEach
    void tearDown() {
        try {
            kernel.close();
        } finally {
            ns.close();
        }
    }

    @Override
    protected NftKernel kernel() {
        return kernel;
    }
}
