package io.svcproxy.ipvs;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The node's IPVS dataplane as the sync loop sees it: read the actual state, apply the diff's
 * operations in order. The netlink implementation is io.svcproxy.netlink.ipvs.ClientIpvsKernel.
 */
public interface IpvsKernel extends AutoCloseable {

    /** Services, their destinations and the addresses bound to kube-ipvs0, as the kernel has them now. */
    IpvsState read();

    /**
     * The destinations of just {@code services} as the kernel has them now, with their connection
     * counts: one destination dump per service, as {@link #read()} does per service. What a partial
     * sync asks when only a few services' connection counts decide (removed or draining TCP/SCTP
     * destinations). Every service asked is in the result; one the kernel does not have reads as
     * having no destinations (the kernel's dump does not tell the two apart).
     */
    Map<VirtualServer.Key, List<RealServer>> readDestinations(Collection<VirtualServer.Key> services);

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
