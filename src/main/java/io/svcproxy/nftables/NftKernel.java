package io.svcproxy.nftables;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The node's nf_tables dataplane as the nftables syncer sees it: read one of our tables, apply one
 * transaction. The netlink implementation lives in io.svcproxy.netlink.nftables; tests use a fake
 * that applies the same ops to {@link NftTable} values with the kernel's rules (a missing object is
 * ENOENT, a set still referenced is EBUSY, and a refused batch changes nothing).
 */
public interface NftKernel extends AutoCloseable {

    /**
     * The table as the kernel holds it now (chains with their rules, named sets with their elements,
     * anonymous sets resolved into the rules that use them), or empty if the kernel has no such
     * table. Reads only this table: other tables are never dumped.
     */
    Optional<NftTable> read(NftFamily family, String table);

    /**
     * Sends {@code ops} as one batch. The kernel applies all of it or nothing; on a refusal this
     * throws {@link NftApplyException} naming the first op the kernel refused and its errno.
     *
     * @return the bytes sent (0 for no ops)
     */
    long apply(List<NftOp> ops);

    /**
     * The ruleset's generation: the kernel counts every committed batch, ours or anyone's, in any
     * table of this network namespace. The same generation as when a table was read or last written
     * means nobody changed it since, so a periodic resync need not dump it again. Empty: this kernel
     * cannot tell (then every full sync reads).
     */
    default OptionalLong generation() {
        return OptionalLong.empty();
    }

    /** Whether the kernel has the table; cheaper than {@link #read} (no dump). */
    default boolean exists(NftFamily family, String table) {
        return read(family, table).isPresent();
    }

    @Override
    void close();
}
