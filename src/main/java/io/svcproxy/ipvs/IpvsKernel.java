package io.svcproxy.ipvs;

import java.util.List;

/**
 * The node's IPVS dataplane as the sync loop sees it: read the actual state, apply the diff's
 * operations in order. The netlink implementation is io.svcproxy.netlink.ipvs.ClientIpvsKernel.
 */
public interface IpvsKernel extends AutoCloseable {

    /** Services, their destinations and the addresses bound to kube-ipvs0, as the kernel has them now. */
    IpvsState read();

    /**
     * Applies {@code ops} one by one, in order. IPVS has no transactions: on the first refusal it
     * stops and throws {@link IpvsApplyException} naming the operation (the ones before it stay
     * applied); the caller's next sync should then be a full one (read + diff).
     *
     * @return the number of operations applied (all of them)
     */
    int apply(List<IpvsOp> ops);

    @Override
    void close();
}
