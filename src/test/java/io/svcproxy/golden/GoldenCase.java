package io.svcproxy.golden;

import io.svcproxy.cli.Main;
import io.svcproxy.model.IpFamily;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * One golden case: test-fixtures/golden/NAME/{cluster.yaml, args} and the expected complete
 * payloads expected-v4.rules / expected-v6.rules, produced by
 * {@code svcproxy plan --cluster cluster.yaml --against empty --output restore --ip-family N ARGS}.
 */
public record GoldenCase(String name, Path dir) {
    public static final Path ROOT = Path.of("test-fixtures", "golden");

    public static List<GoldenCase> all() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("cluster.yaml"))).sorted()
                    .map(d -> new GoldenCase(d.getFileName().toString(), d)).toList();
        }
    }

    public Path expected(IpFamily family) {
        return dir.resolve(family == IpFamily.V4 ? "expected-v4.rules" : "expected-v6.rules");
    }

    public List<String> args() throws IOException {
        Path argsFile = dir.resolve("args");
        if (!Files.exists(argsFile)) {
            return List.of();
        }
        return Arrays.stream(Files.readString(argsFile).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** Runs the real CLI in-process and returns its stdout; fails on a non-plan exit code or warnings. */
    public String render(IpFamily family) throws IOException {
        List<String> argv = new ArrayList<>(List.of("plan", "--cluster", dir.resolve("cluster.yaml").toString(),
                "--against", "empty", "--output", "restore", "--ip-family", family == IpFamily.V4 ? "4" : "6"));
        argv.addAll(args());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), argv.toArray(String[]::new));
        if (code != 2 || !err.toString().isEmpty()) {
            throw new AssertionError("golden " + name + " (" + family + "): exit " + code + ", stderr:\n" + err);
        }
        return out.toString();
    }
}
