package io.svcproxy.testing.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process (an echo server, a client loop, the daemon) with stdout and stderr in files.
 * {@link #stop} signals exactly this process and its descendants by PID: SIGTERM, then SIGKILL after a bound.
 */
public final class BackgroundProcess implements AutoCloseable {
    private final String label;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private BackgroundProcess(String label, Process process, Path stdout, Path stderr) {
        this.label = label;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static BackgroundProcess start(String label, List<String> argv, Path logDir) {
        try {
            Files.createDirectories(logDir);
            Path out = Files.createTempFile(logDir, label + "-", ".out");
            Path err = Files.createTempFile(logDir, label + "-", ".err");
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new BackgroundProcess(label, p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + label, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String label() {
        return label;
    }

    public Path stdoutFile() {
        return stdout;
    }

    public Path stderrFile() {
        return stderr;
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits (bounded) for the process to exit by itself; returns its exit code or -1 if still running. */
    public int await(Duration bound) {
        try {
            return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGKILL to this PID only (the daemon's crash test); returns once it is gone. */
    public void kill() {
        process.destroyForcibly();
        await(Duration.ofSeconds(10));
    }

    /** SIGTERM, and SIGKILL when still alive after the bound; descendants too. Returns the exit code. */
    public int stop(Duration bound) {
        List<ProcessHandle> children = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
        }
        int code = await(bound);
        if (code == -1 && process.isAlive()) {
            process.destroyForcibly();
            code = await(Duration.ofSeconds(5));
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        return code;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(3));
    }
}
