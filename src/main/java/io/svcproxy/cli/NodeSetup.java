package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesRestorer;
import io.svcproxy.apply.NfacctCounters;
import io.svcproxy.apply.conntrack.ConntrackCleaners;
import io.svcproxy.apply.nfacct.NfacctCountersFactory;
import io.svcproxy.apply.sysctl.ConntrackSysctlSettings;
import io.svcproxy.apply.sysctl.NodeSysctls;
import io.svcproxy.apply.sysctl.ProcSysctl;
import io.svcproxy.model.IpFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The node-side helpers the daemon needs besides iptables, with kube-proxy's --conntrack-* flags:
 * sysctls, nfacct counters (nfnetlink, else the nfacct tool), conntrack cleanup (netlink, else the
 * conntrack tool).
 */
public final class NodeSetup {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSetup.class);

    @Option(names = "--conntrack-max-per-core", defaultValue = "32768", paramLabel = "N",
            description = "nf_conntrack_max per CPU core (0 leaves it alone). Default: ${DEFAULT-VALUE}.")
    int maxPerCore;

    @Option(names = "--conntrack-min", defaultValue = "131072", paramLabel = "N",
            description = "Lowest nf_conntrack_max to set. Default: ${DEFAULT-VALUE}.")
    int min;

    @Option(names = "--conntrack-tcp-timeout-established", defaultValue = "86400", paramLabel = "SECONDS",
            description = "nf_conntrack_tcp_timeout_established (0 leaves it alone). Default: ${DEFAULT-VALUE}.")
    int tcpEstablished;

    @Option(names = "--conntrack-tcp-timeout-close-wait", defaultValue = "3600", paramLabel = "SECONDS",
            description = "nf_conntrack_tcp_timeout_close_wait (0 leaves it alone). Default: ${DEFAULT-VALUE}.")
    int tcpCloseWait;

    @Option(names = "--skip-sysctl", paramLabel = "KEY",
            description = "A sysctl svcproxy must not touch, e.g. net/netfilter/nf_conntrack_max (repeatable).")
    List<String> skipSysctls = new ArrayList<>();

    private NodeSysctls sysctls;

    NodeSysctls sysctls() {
        if (sysctls == null) {
            List<String> skip = skipSysctls.stream().map(k -> k.replace('.', '/')).toList();
            sysctls = new NodeSysctls(new ProcSysctl(), new HashSet<>(skip),
                    new ConntrackSysctlSettings(maxPerCore, min, tcpEstablished, tcpCloseWait),
                    Runtime.getRuntime().availableProcessors());
        }
        return sysctls;
    }

    boolean familyAvailable(IptablesRestorer restorer, IpFamily family) {
        try {
            restorer.save(family);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("{} disabled: {}", family.kubernetesName(), e.getMessage());
            return false;
        }
    }

    NfacctCounters nfacct(CommandRunner runner) {
        return NfacctCountersFactory.create(runner);
    }

    ConntrackCleaner conntrack(CommandRunner runner) {
        return ConntrackCleaners.create(runner);
    }
}
