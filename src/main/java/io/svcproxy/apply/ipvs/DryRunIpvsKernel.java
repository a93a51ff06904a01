package io.svcproxy.apply.ipvs;

import io.svcproxy.diff.ipvs.IpvsChangesText;
import io.svcproxy.ipvs.IpvsKernel;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * --dry-run: reads the kernel's IPVS state when it can (an empty one, and no destinations, when IPVS
 * or kube-ipvs0 is not there: nothing is created to read it), logs the operations instead of applying them.
 */
public final class DryRunIpvsKernel implements IpvsKernel {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunIpvsKernel.class);
    private final Supplier<IpvsKernel> real;

    /** @param real opened on first read; null-returning or failing means "no IPVS here": read empty */
    public DryRunIpvsKernel(Supplier<IpvsKernel> real) {
        this.real = real;
    }

    @Override
    public IpvsState read() {
        try (IpvsKernel k = real.get()) {
            return k == null ? IpvsState.empty() : k.read();
        } catch (RuntimeException e) {
            LOG.warn("dry run: cannot read IPVS ({}); comparing with an empty node", e.getMessage());
            return IpvsState.empty();
        }
    }

    @Override
    public Map<VirtualServer.Key, List<RealServer>> readDestinations(Collection<VirtualServer.Key> services) {
        try (IpvsKernel k = real.get()) {
            return k == null ? Map.of() : k.readDestinations(services);
        } catch (RuntimeException e) {
            LOG.warn("dry run: cannot read IPVS ({}); comparing with an empty node", e.getMessage());
            return Map.of();
        }
    }

    @Override
    public int apply(List<IpvsOp> ops) {
        if (!ops.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            ops.forEach(op -> sb.append(IpvsChangesText.line(op)).append('\n'));
            LOG.info("dry run, not applied (IPVS):\n{}", sb.toString().stripTrailing());
        }
        return ops.size();
    }

    @Override
    public void close() {
    }
}
