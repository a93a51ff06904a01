package io.svcproxy.apply.conntrack;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.ConntrackFilter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes conntrack entries with the conntrack tool (conntrack-tools), one "conntrack -D" per
 * filter: the fallback when netlink cannot be used from Java. The tool exits 1 when nothing
 * matched; that is success with zero deletions.
 */
public final class ToolConntrackCleaner implements ConntrackCleaner {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DELETED = Pattern.compile("(\\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted");

    private final CommandRunner runner;
    private final String tool;

    public ToolConntrackCleaner(CommandRunner runner) {
        this(runner, "conntrack");
    }

    public ToolConntrackCleaner(CommandRunner runner, String tool) {
        this.runner = runner;
        this.tool = tool;
    }

    @Override
    public int delete(List<ConntrackFilter> filters) {
        int deleted = 0;
        for (ConntrackFilter f : filters) {
            deleted += deleteOne(f);
        }
        return deleted;
    }

    private int deleteOne(ConntrackFilter filter) {
        List<String> argv = command(tool, filter);
        CommandRunner.Result r;
        try {
            r = runner.run(argv, TIMEOUT);
        } catch (CommandRunner.CommandException e) {
            throw new ConntrackCleanupException(e.getMessage(), e);
        }
        Matcher m = DELETED.matcher(r.stderr() + "\n" + r.stdout());
        Integer count = m.find() ? Integer.valueOf(m.group(1)) : null;
        if (r.ok()) {
            return count != null ? count : (int) r.stdout().lines().filter(l -> !l.isBlank()).count();
        }
        if (r.exitCode() == 1 && count != null && count == 0) {
            return 0;   // "0 flow entries have been deleted": nothing matched
        }
        throw new ConntrackCleanupException(r.describe(), null);
    }

    /** The argument vector for one filter. */
    static List<String> command(String tool, ConntrackFilter filter) {
        List<String> argv = new ArrayList<>(List.of(tool, "-D",
                "-f", filter.family() == IpFamily.V4 ? "ipv4" : "ipv6",
                "-p", filter.protocol().lower()));
        if (filter.originalDestination() != null) {
            argv.addAll(List.of("--orig-dst", filter.originalDestination().getHostAddress()));
        }
        if (filter.originalDestinationPort() != 0) {
            argv.addAll(List.of("--orig-port-dst", Integer.toString(filter.originalDestinationPort())));
        }
        if (filter.replySource() != null) {
            argv.addAll(List.of("--reply-src", filter.replySource().getHostAddress()));
        }
        return argv;
    }
}
