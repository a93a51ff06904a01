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

/** One IPVS-mode golden case: test-fixtures/golden-ipvs/NAME/{cluster.yaml, args, expected-vN.{ipvs,ipset,rules}}. */
public record IpvsGoldenCase(String name, Path dir) {
    public static final Path ROOT = Path.of("test-fixtures", "golden-ipvs");

    /** The three outputs of a case, by file suffix and --output value. */
    public enum Kind {
        IPVS("ipvs", "ipvs"), IPSET("ipset", "ipset"), RULES("rules", "restore");

        final String suffix;
        final String output;

        Kind(String suffix, String output) {
            this.suffix = suffix;
            this.output = output;
        }
    }

    public static List<IpvsGoldenCase> all() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("cluster.yaml"))).sorted()
                    .map(d -> new IpvsGoldenCase(d.getFileName().toString(), d)).toList();
        }
    }

    public Path expected(IpFamily family, Kind kind) {
        return dir.resolve("expected-" + (family == IpFamily.V4 ? "v4" : "v6") + "." + kind.suffix);
    }

    public List<String> args() throws IOException {
        return Arrays.stream(Files.readString(dir.resolve("args")).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    public String render(IpFamily family, Kind kind) throws IOException {
        List<String> argv = new ArrayList<>(List.of("plan", "--cluster", dir.resolve("cluster.yaml").toString(),
                "--against", "empty", "--output", kind.output, "--ip-family", family == IpFamily.V4 ? "4" : "6"));
        argv.addAll(args());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), argv.toArray(String[]::new));
        if (code != 2 || !err.toString().isEmpty()) {
            throw new AssertionError("golden-ipvs " + name + " (" + family + ", " + kind + "): exit " + code
                    + ", stderr:\n" + err);
        }
        return out.toString();
    }
}
