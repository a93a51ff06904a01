package io.svcproxy.apply;

import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.DiffRenderer;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.IpFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * --dry-run: reads the kernel like the real restorer but, instead of writing, logs the readable
 * diff it would have applied. The safe first step on a node still run by kube-proxy.
 */
public final class DryRunRestorer implements IptablesRestorer {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunRestorer.class);
    private final IptablesRestorer real;

    public DryRunRestorer(IptablesRestorer real) {
        this.real = real;
    }

    @Override
    public Ruleset save(IpFamily family) {
        return real.save(family);
    }

    @Override
    public long restore(IpFamily family, ChangeSet changes) {
        LOG.info("dry run, not applied ({}):\n{}", family.kubernetesName(), new DiffRenderer(false).render(changes));
        return 0;
    }

    /** Nothing was written, so no canary can have been flushed: always there (no full resync every 5 s). */
    @Override
    public boolean chainExists(IpFamily family, String table, String chain) {
        return true;
    }
}
