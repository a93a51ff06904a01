package io.svcproxy.cli;

import io.svcproxy.apply.BackendDetector;
import io.svcproxy.apply.CommandIptablesRestorer;
import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.plan.KubeChains;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Removes every chain and jump rule svcproxy (or kube-proxy) owns, and nothing else. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Remove svcproxy's (and kube-proxy's iptables-mode) chains and jumps from this node.",
            "Foreign chains and rules are left untouched. The kubelet's KUBE-FIREWALL chain is kept.",
            "Sysctls svcproxy set (e.g. route_localnet) are left as they are."})
public final class CleanupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend. Default: ${DEFAULT-VALUE}.")
    String backend;

    /**
     * The state cleanup leaves: nothing of ours, except the kubelet's KUBE-FIREWALL chain and the jumps
     * to it, which the kubelet maintains too (kube-proxy's cleanup keeps them as well).
     */
    static IptablesPlan kubeletOnly(Ruleset actual) {
        Map<String, Table> tables = new LinkedHashMap<>();
        Table filter = actual.table("filter");
        Chain firewall = filter == null ? null : filter.chain(KubeChains.KUBELET_FIREWALL);
        if (firewall != null) {
            Map<String, Chain> chains = new LinkedHashMap<>();
            for (Chain c : filter.chains().values()) {
                if (c.builtin()) {
                    List<String> jumps = c.rules().stream()
                            .filter(r -> r.endsWith("-j " + KubeChains.KUBELET_FIREWALL)).toList();
                    chains.put(c.name(), new Chain(c.name(), c.policy(), jumps));
                }
            }
            chains.put(firewall.name(), firewall);
            tables.put("filter", new Table("filter", chains));
        }
        return new IptablesPlan(new Ruleset(actual.family(), tables), Map.of(), List.of(), List.of());
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CommandRunner runner = new CommandRunner();
        IptablesBackend chosen = "auto".equals(backend)
                ? new BackendDetector(runner).detect().backend() : IptablesBackend.parse(backend);
        CommandIptablesRestorer restorer = new CommandIptablesRestorer(runner, chosen, 5);
        for (IpFamily family : IpFamily.values()) {
            Ruleset actual;
            try {
                actual = restorer.save(family);
            } catch (RuntimeException e) {
                out.println(family.kubernetesName() + ": skipped (" + e.getMessage() + ")");
                continue;
            }
            ChangeSet changes = RulesetDiff.diff(actual, kubeletOnly(actual));
            if (!changes.isEmpty()) {
                restorer.restore(family, changes);
            }
            out.println(family.kubernetesName() + ": removed " + changes.counts().chainsDeleted() + " chains, "
                    + changes.counts().rulesDeleted() + " rules (" + chosen + " backend)");
        }
        out.println("sysctls set by svcproxy (net.ipv4.conf.all.route_localnet, conntrack limits) were left as they are");
        out.flush();
        return 0;
    }
}
