package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.DryRunRestorer;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesRestorer;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.diff.BatchPolicy;
import io.svcproxy.model.IpFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The iptables side the daemon programs in iptables and IPVS mode: the backend, its restorer (with
 * --dry-run one that only logs) and one syncer per family whose iptables works on this node.
 */
record IptablesFamilies(IptablesBackend backend, List<IptablesSyncer> syncers) {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesFamilies.class);

    /** Detects the backend and probes each family; none working is an error (no iptables, not root). */
    static IptablesFamilies open(DaemonContext c) {
        BatchPolicy fixedBatches = c.iptables().fixedBatches();
        BackendDetector.Choice choice = new BackendDetector(c.runner()).choose(c.iptables().backend);
        LOG.info("iptables backend {}: {}", choice.backend(), choice.reason());
        IptablesBackend chosen = choice.backend();
        BatchPolicy batchPolicy = fixedBatches != null ? fixedBatches : chosen.batchPolicy();
        CommandIptablesRestorer real = new CommandIptablesRestorer(c.runner(), chosen, 5);
        IptablesRestorer restorer = c.dryRun() ? new DryRunRestorer(real) : real;
        List<IptablesSyncer> syncers = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            if (c.setup().familyAvailable(restorer, family)) {
                syncers.add(new IptablesSyncer(family, restorer, c.dryRun() ? names -> { } : c.setup().nfacct(c.runner()),
                        batchPolicy));
            }
        }
        if (syncers.isEmpty()) {
            throw new IllegalStateException("neither iptables nor ip6tables works on this node (run as root?)");
        }
        return new IptablesFamilies(chosen, List.copyOf(syncers));
    }
}
