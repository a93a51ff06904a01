package io.svcproxy.apply;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs external tools with an argument vector (never a shell), feeding stdin from a writer callback
 * so large payloads stream instead of being built as one string, and bounding each run in time.
 */
public class CommandRunner {
    /** Output of one finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String describe() {
            return String.join(" ", command) + " exited " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip());
        }
    }

    /** Runs a command with empty stdin. */
    public Result run(List<String> command, Duration timeout) {
        return run(command, out -> { }, timeout);
    }

    /** Runs a command, streaming {@code stdin} into it; a timed out command is killed. */
    public Result run(List<String> command, Consumer<OutputStream> stdin, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("LC_ALL", "C");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new CommandException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            stdin.accept(in);
        } catch (IOException | UncheckedIOException e) {
            // The tool may exit early (e.g. a parse error) and close its stdin; its exit code says why.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new CommandException(String.join(" ", command) + " timed out after " + timeout, null);
            }
            return new Result(List.copyOf(command), process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(String.join(" ", command) + " interrupted", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream s = stream) {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** A command could not be run at all (missing binary, timeout). */
    public static class CommandException extends RuntimeException {
        public CommandException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
