package io.svcproxy.cli;

import io.svcproxy.apply.CommandRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Removes every chain and jump rule svcproxy (or kube-proxy) owns, and nothing else. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Remove svcproxy's (and kube-proxy's iptables- and IPVS-mode) chains and jumps from this node,",
            "then IPVS mode's leftovers: IPVS services on kube-ipvs0 or node addresses, kube-ipvs0, KUBE-* ipsets.",
            "Foreign chains, rules, IPVS services and ipsets are left untouched. The kubelet's KUBE-FIREWALL chain is kept.",
            "Sysctls svcproxy set (e.g. route_localnet) are left as they are."})
public final class CleanupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CommandRunner runner = new CommandRunner();
        for (ProxyModeWiring mode : Dataplanes.forCleanup()) {
            mode.cleanup(out, runner, backend);
        }
        out.println("sysctls set by svcproxy (net.ipv4.conf.all.route_localnet, conntrack limits) were left as they are");
        out.flush();
        return 0;
    }
}
