package io.svcproxy.testing;

import io.svcproxy.apply.CommandRunner;

import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A CommandRunner whose commands run inside a test namespace ("ip netns exec NAME ..."). */
public final class NamespacedCommandRunner extends CommandRunner {
    private final NetNs ns;

    public NamespacedCommandRunner(NetNs ns) {
        this.ns = ns;
    }

    @Override
    public Result run(List<String> command, Consumer<OutputStream> stdin, Duration timeout) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(command);
        return super.run(full, stdin, timeout);
    }
}
