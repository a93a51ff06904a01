package io.svcproxy.apply.nfacct;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.NfacctCounters;
import io.svcproxy.netlink.nfacct.NfacctMessages;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Creates nfacct counters with the nfacct tool: the fallback when netlink cannot be used from Java.
 * "nfacct add" of an existing counter fails with "File exists" or "Device or resource busy"
 * (depending on the kernel); both mean it is already there.
 */
public final class ToolNfacctCounters implements NfacctCounters {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CommandRunner runner;
    private final String tool;

    public ToolNfacctCounters(CommandRunner runner) {
        this(runner, "nfacct");
    }

    public ToolNfacctCounters(CommandRunner runner, String tool) {
        this.runner = runner;
        this.tool = tool;
    }

    @Override
    public void ensure(Collection<String> names) {
        for (String name : names) {
            NfacctMessages.validateName(name);
            CommandRunner.Result r;
            try {
                r = runner.run(List.of(tool, "add", name), TIMEOUT);
            } catch (CommandRunner.CommandException e) {
                throw new NfacctException(e.getMessage(), e);
            }
            if (!r.ok() && !alreadyExists(r.stderr() + r.stdout())) {
                throw new NfacctException(r.describe(), null);
            }
        }
    }

    static boolean alreadyExists(String output) {
        return output.contains("File exists") || output.contains("Device or resource busy");
    }
}
