package io.svcproxy.apply.nftables;

import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKernel;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.plan.nftables.NftOpsText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * --dry-run: reads our tables from the kernel when it can (none, when nf_tables cannot be talked
 * to: nothing is created to read it), logs each batch as nft commands instead of sending it.
 */
public final class DryRunNftKernel implements NftKernel {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunNftKernel.class);
    private final Supplier<NftKernel> real;
    private NftKernel opened;
    private boolean unavailable;

    /** @param real opened on the first read; failing means "no nf_tables here": read nothing */
    public DryRunNftKernel(Supplier<NftKernel> real) {
        this.real = real;
    }

    @Override
    public Optional<NftTable> read(NftFamily family, String table) {
        NftKernel k = kernel();
        try {
            return k == null ? Optional.empty() : k.read(family, table);
        } catch (RuntimeException e) {
            LOG.warn("dry run: cannot read {} {} ({}); comparing with an empty node", family.keyword(), table,
                    e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public boolean exists(NftFamily family, String table) {
        return true;   // nothing is written, so nothing can have been flushed behind our back
    }

    @Override
    public long apply(List<NftOp> ops) {
        if (!ops.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            ops.forEach(op -> sb.append(NftOpsText.summary(op)).append('\n'));
            LOG.info("dry run, not applied (nf_tables, {} messages):\n{}", ops.size(), sb.toString().stripTrailing());
        }
        return 0;
    }

    private NftKernel kernel() {
        if (opened == null && !unavailable) {
            try {
                opened = real.get();
            } catch (RuntimeException e) {
                unavailable = true;
                LOG.warn("dry run: nf_tables not reachable ({}); comparing with an empty node", e.getMessage());
            }
        }
        return opened;
    }

    @Override
    public void close() {
        if (opened != null) {
            opened.close();
        }
    }
}
