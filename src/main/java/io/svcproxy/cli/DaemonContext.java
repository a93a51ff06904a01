package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.config.ProxyConfig;

/**
 * What `svcproxy run` hands a mode's wiring: the configuration (flags applied), the node helpers and
 * the flags every mode may read.
 *
 * @param tcpBeLiberal nf_conntrack_tcp_be_liberal is set (by us or already), so no INVALID-drop rule
 */
record DaemonContext(ProxyConfig config, NodeSetup setup, CommandRunner runner, IptablesFlags iptables,
                     boolean dryRun, boolean tcpBeLiberal) {

    /** With the real process runner (the tools: iptables-restore, ipset, conntrack, nfacct). */
    static DaemonContext of(ProxyConfig config, NodeSetup setup, IptablesFlags iptables, boolean dryRun,
                            boolean tcpBeLiberal) {
        return new DaemonContext(config, setup, new CommandRunner(), iptables, dryRun, tcpBeLiberal);
    }
}
