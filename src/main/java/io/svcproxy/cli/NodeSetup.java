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
import io.svcproxy.config.GoDuration;
import io.svcproxy.config.ProxyConfig;
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

    @Option(names = "--conntrack-max-per-core", paramLabel = "N",
            description = "nf_conntrack_max per CPU core (0 leaves it alone). Default: 32768 (or --config's).")
    Integer maxPerCore;

    @Option(names = "--conntrack-min", paramLabel = "N",
            description = "Lowest nf_conntrack_max to set. Default: 131072 (or --config's).")
    Integer min;

    @Option(names = "--conntrack-tcp-timeout-established", paramLabel = "DURATION",
            description = "nf_conntrack_tcp_timeout_established (0s leaves it alone). Default: 24h (or --config's).")
    String tcpEstablished;

    @Option(names = "--conntrack-tcp-timeout-close-wait", paramLabel = "DURATION",
            description = "nf_conntrack_tcp_timeout_close_wait (0s leaves it alone). Default: 1h (or --config's).")
    String tcpCloseWait;

    @Option(names = "--skip-sysctl", paramLabel = "KEY",
            description = "A sysctl svcproxy must not touch, e.g. net/netfilter/nf_conntrack_max (repeatable).")
    List<String> skipSysctls = new ArrayList<>();

    private NodeSysctls sysctls;

    /** The sysctl settings: flags win over the configuration's conntrack section. */
    NodeSysctls sysctls(ProxyConfig config) {
        if (sysctls == null) {
            ProxyConfig.Conntrack c = config.conntrack();
            List<String> skip = skipSysctls.stream().map(k -> k.replace('.', '/')).toList();
            sysctls = new NodeSysctls(new ProcSysctl(), new HashSet<>(skip), new ConntrackSysctlSettings(
                    maxPerCore != null ? maxPerCore : c.maxPerCore(),
                    min != null ? min : c.min(),
                    tcpEstablished != null ? seconds("--conntrack-tcp-timeout-established", tcpEstablished)
                            : c.tcpEstablishedSeconds(),
                    tcpCloseWait != null ? seconds("--conntrack-tcp-timeout-close-wait", tcpCloseWait)
                            : c.tcpCloseWaitSeconds()),
                    Runtime.getRuntime().availableProcessors());
        }
        return sysctls;
    }

    private static int seconds(String flag, String duration) {
        try {
            return (int) GoDuration.parse(duration).toSeconds();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
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
