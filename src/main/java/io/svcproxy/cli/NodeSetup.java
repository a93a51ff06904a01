package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesRestorer;
import io.svcproxy.apply.NfacctCounters;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.ConntrackFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;

/** The node-side helpers the daemon needs besides iptables: sysctls, nfacct, conntrack. */
final class NodeSetup {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSetup.class);
    private static final Path PROC_SYS = Path.of("/proc/sys");
    private final CommandRunner runner;

    NodeSetup(CommandRunner runner) {
        this.runner = runner;
    }

    void sysctls(ProxyConfig config) {
        if (config.localhostNodePorts()) {
            set("net/ipv4/conf/all/route_localnet", "1");
        }
    }

    boolean tcpBeLiberal() {
        return "1".equals(read("net/netfilter/nf_conntrack_tcp_be_liberal"));
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

    NfacctCounters nfacct() {
        return names -> {
            for (String name : names) {
                CommandRunner.Result r = runner.run(List.of("nfacct", "add", name), Duration.ofSeconds(10));
                if (!r.ok() && !r.stderr().contains("exists") && !r.stderr().contains("busy")) {
                    LOG.warn("nfacct counter {} not created: {}", name, r.describe());
                }
            }
        };
    }

    ConntrackCleaner conntrack() {
        return filters -> 0;
    }

    BiFunction<ClusterSnapshot, ClusterSnapshot, List<ConntrackFilter>> staleEntries() {
        return (before, after) -> List.of();
    }

    private void set(String key, String value) {
        String old = read(key);
        if (value.equals(old)) {
            return;
        }
        try {
            Files.writeString(PROC_SYS.resolve(key), value);
            LOG.info("sysctl {}: {} -> {}", key.replace('/', '.'), old, value);
        } catch (IOException e) {
            LOG.warn("sysctl {} not set: {}", key.replace('/', '.'), e.getMessage());
        }
    }

    private static String read(String key) {
        try {
            return Files.readString(PROC_SYS.resolve(key)).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
