package io.svcproxy.netlink.ipvs;

/** The IPVS client contract against {@link FakeIpvsClient}; the same scenarios run against the kernel in the IPVS VM. */
class FakeIpvsClientContractTest extends IpvsClientContract {
    @Override
    IpvsClient open() {
        return new FakeIpvsClient();
    }

    @Override
    void release() {
    }
}
