package io.svcproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network namespace for kernel tests: uniquely named ("svcp-" + random hex), commands
 * run inside it as argument vectors (never through a shell) with bounded timeouts, deleted by
 * {@link #close()} even when the test failed.
 */
public final class NetNs implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private boolean closed;

    private NetNs(String name) {
        this.name = name;
    }

    public static NetNs create() {
        String name = String.format("svcp-%08x", RANDOM.nextInt());
        Result r = exec(List.of("ip", "netns", "add", name), null);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("ip netns add " + name + " failed: " + r.stderr());
        }
        return new NetNs(name);
    }

    public String name() {
        return name;
    }

    /** Runs argv inside the namespace; stdin may be null. */
    public Result run(List<String> argv, String stdin) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return exec(full, stdin);
    }

    public Result run(String... argv) {
        return run(List.of(argv), null);
    }

    /** Runs argv and fails with its output unless it exits 0; returns stdout. */
    public String runChecked(List<String> argv, String stdin) {
        Result r = run(argv, stdin);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.exitCode() + "\nstderr: " + r.stderr()
                    + (stdin == null ? "" : "\nstdin:\n" + stdin));
        }
        return r.stdout();
    }

    public String runChecked(String... argv) {
        return runChecked(List.of(argv), null);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Result r = exec(List.of("ip", "netns", "del", name), null);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("ip netns del " + name + " failed: " + r.stderr());
            }
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs a command outside any namespace, with the same timeout and capture rules. */
    public static Result exec(List<String> argv, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv.get(0), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The process exited early; its exit code and stderr say why.
        }
        try {
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", argv) + " timed out after " + TIMEOUT);
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("reading output of " + argv.get(0), e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
