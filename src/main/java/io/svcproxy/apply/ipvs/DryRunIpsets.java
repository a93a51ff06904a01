package io.svcproxy.apply.ipvs;

import io.svcproxy.ipset.IpsetState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** --dry-run: reads the real sets, logs the restore lines instead of applying them. */
public final class DryRunIpsets implements Ipsets {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunIpsets.class);
    private final Ipsets real;

    public DryRunIpsets(Ipsets real) {
        this.real = real;
    }

    @Override
    public IpsetState read() {
        try {
            return real.read();
        } catch (RuntimeException e) {
            LOG.warn("dry run: cannot read ipsets ({}); comparing with none", e.getMessage());
            return IpsetState.empty();
        }
    }

    @Override
    public void restore(List<String> lines) {
        if (!lines.isEmpty()) {
            LOG.info("dry run, not applied (ipset restore):\n{}", String.join("\n", lines));
        }
    }
}
