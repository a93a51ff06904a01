package io.svcproxy.apply;

import io.svcproxy.diff.ChangeSet;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.model.IpFamily;

import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@link IptablesRestorer}: iptables-save / iptables-restore of the chosen backend, with
 * the xtables lock (-w), the payload streamed to stdin.
 */
public final class CommandIptablesRestorer implements IptablesRestorer {
    private static final Pattern FAILED_LINE = Pattern.compile("(?:line:?\\s*|line )(\\d+)");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final CommandRunner runner;
    private final IptablesBackend backend;
    private final int lockWaitSeconds;

    public CommandIptablesRestorer(CommandRunner runner, IptablesBackend backend, int lockWaitSeconds) {
        this.runner = runner;
        this.backend = backend;
        this.lockWaitSeconds = lockWaitSeconds;
    }

    public IptablesBackend backend() {
        return backend;
    }

    @Override
    public Ruleset save(IpFamily family) {
        return new LiveRulesetReader(runner, backend).read(family);
    }

    /**
     * Streams the change set into iptables-restore's stdin through one buffer (no payload string is
     * built; only a refused payload is rendered again, for the lines around the error).
     */
    @Override
    public long restore(IpFamily family, ChangeSet changes) {
        List<String> argv = List.of(backend.restore(family), "--noflush", "-w", Integer.toString(lockWaitSeconds),
                "-W", "100000");
        long[] written = {0};
        CommandRunner.Result r = runner.run(argv, out -> {
            CountingStream counted = new CountingStream(out);
            try {
                Writer w = new BufferedWriter(new OutputStreamWriter(counted, StandardCharsets.UTF_8), 1 << 16);
                changes.writeTo(w);
                w.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                written[0] = counted.count;
            }
        }, TIMEOUT);
        if (!r.ok()) {
            int line = failedLine(r.stderr());
            throw new RestoreException(r.describe(), line, line > 0 ? around(changes.payload(), line, 3) : "");
        }
        return written[0];
    }

    @Override
    public boolean chainExists(IpFamily family, String table, String chain) {
        CommandRunner.Result r = runner.run(List.of(backend.iptables(family), "-w", Integer.toString(lockWaitSeconds),
                "-t", table, "-S", chain, "1"), Duration.ofSeconds(30));
        return r.ok();
    }

    /** Counts the bytes that reach the process (the encoder writes in large chunks). */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    static int failedLine(String stderr) {
        Matcher m = FAILED_LINE.matcher(stderr);
        int line = 0;
        while (m.find()) {
            line = Integer.parseInt(m.group(1));
        }
        return line;
    }

    /** The payload lines around {@code line} (1-based), numbered, for the error log. */
    static String around(String payload, int line, int context) {
        String[] lines = payload.split("\n", -1);
        List<String> out = new ArrayList<>();
        for (int i = Math.max(1, line - context); i <= Math.min(lines.length, line + context); i++) {
            out.add((i == line ? "> " : "  ") + i + ": " + lines[i - 1]);
        }
        return String.join("\n", out);
    }
}
