package io.svcproxy.apply;

import io.svcproxy.model.IpFamily;

import java.time.Duration;
import java.util.List;

/**
 * Picks the backend the way kube-proxy's image does: the one already holding the kubelet's (or
 * kube-proxy's) chains wins; otherwise the one holding more rules; nft when both are empty.
 */
public final class BackendDetector {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final CommandRunner runner;

    public BackendDetector(CommandRunner runner) {
        this.runner = runner;
    }

    /** The detected backend, with the reason (for the log). */
    public record Choice(IptablesBackend backend, String reason) {
    }

    /** The --iptables-backend flag's value: "auto" detects, "nft"/"legacy" are taken as given. */
    public Choice choose(String flagValue) {
        if ("auto".equals(flagValue)) {
            return detect();
        }
        return new Choice(IptablesBackend.parse(flagValue), "from --iptables-backend");
    }

    public Choice detect() {
        Counts nft = count(IptablesBackend.NFT);
        Counts legacy = count(IptablesBackend.LEGACY);
        if (nft.kubeChains > 0 && legacy.kubeChains == 0) {
            return new Choice(IptablesBackend.NFT, "nft holds the kubelet/kube-proxy chains");
        }
        if (legacy.kubeChains > 0 && nft.kubeChains == 0) {
            return new Choice(IptablesBackend.LEGACY, "legacy holds the kubelet/kube-proxy chains");
        }
        if (legacy.rules > nft.rules) {
            return new Choice(IptablesBackend.LEGACY,
                    "legacy holds more rules (" + legacy.rules + " vs " + nft.rules + ")");
        }
        return new Choice(IptablesBackend.NFT, legacy.available
                ? "nft holds at least as many rules (" + nft.rules + " vs " + legacy.rules + ")"
                : "legacy backend unavailable");
    }

    private record Counts(boolean available, int rules, int kubeChains) {
    }

    private Counts count(IptablesBackend backend) {
        try {
            CommandRunner.Result r = runner.run(List.of(backend.save(IpFamily.V4)), TIMEOUT);
            if (!r.ok()) {
                return new Counts(false, 0, 0);
            }
            int rules = 0;
            int kube = 0;
            for (String line : r.stdout().split("\n")) {
                if (line.startsWith("-A ")) {
                    rules++;
                } else if (line.startsWith(":KUBE-KUBELET-CANARY") || line.startsWith(":KUBE-IPTABLES-HINT")
                        || line.startsWith(":KUBE-PROXY-CANARY")) {
                    kube++;
                }
            }
            return new Counts(true, rules, kube);
        } catch (CommandRunner.CommandException e) {
            return new Counts(false, 0, 0);
        }
    }
}
