package io.svcproxy.apply;

import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.model.IpFamily;

import java.time.Duration;
import java.util.List;

/** Reads this node's current rules of one family through iptables-save of the chosen backend. */
public final class LiveRulesetReader {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final CommandRunner runner;
    private final IptablesBackend backend;

    public LiveRulesetReader(CommandRunner runner, IptablesBackend backend) {
        this.runner = runner;
        this.backend = backend;
    }

    public Ruleset read(IpFamily family) {
        CommandRunner.Result r = runner.run(List.of(backend.save(family)), TIMEOUT);
        if (!r.ok()) {
            throw new DataplaneException(DataplaneException.Kind.UNREACHABLE, "iptables-save",
                    "reading the node's rules failed: " + r.describe()
                            + (r.stderr().contains("Permission denied") ? " (run as root)" : ""), "", family, false, null);
        }
        return SaveParser.parse(family, r.stdout());
    }
}
