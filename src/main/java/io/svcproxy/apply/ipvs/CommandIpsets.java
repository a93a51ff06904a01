package io.svcproxy.apply.ipvs;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.diff.ipvs.IpsetChanges;
import io.svcproxy.ipset.IpsetSaveParser;
import io.svcproxy.ipset.IpsetState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@link Ipsets} with the ipset tool: "ipset save" parsed by {@link IpsetSaveParser}, and
 * "ipset restore -exist" fed the lines on stdin (an argument vector, never a shell).
 */
public final class CommandIpsets implements Ipsets {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final CommandRunner runner;
    private final String tool;

    public CommandIpsets(CommandRunner runner) {
        this(runner, "ipset");
    }

    public CommandIpsets(CommandRunner runner, String tool) {
        this.runner = runner;
        this.tool = tool;
    }

    @Override
    public IpsetState read() {
        CommandRunner.Result r = runner.run(List.of(tool, "save"), TIMEOUT);
        if (!r.ok()) {
            throw new IpsetException("ipset save failed: " + r.describe());
        }
        return IpsetSaveParser.parse(r.stdout());
    }

    @Override
    public void restore(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        byte[] payload = IpsetChanges.payload(lines).getBytes(StandardCharsets.UTF_8);
        CommandRunner.Result r = runner.run(List.of(tool, "restore", "-exist"), out -> {
            try {
                out.write(payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, TIMEOUT);
        if (!r.ok()) {
            throw new IpsetException("ipset restore refused " + lines.size() + " lines: " + r.describe()
                    + context(lines, r.stderr()));
        }
    }

    /** "ipset v7.x: Error in line N: ..." -> the line itself. */
    private static String context(List<String> lines, String stderr) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+)").matcher(stderr);
        if (m.find()) {
            int n = Integer.parseInt(m.group(1));
            if (n >= 1 && n <= lines.size()) {
                return " (line " + n + ": " + lines.get(n - 1) + ")";
            }
        }
        return "";
    }
}
