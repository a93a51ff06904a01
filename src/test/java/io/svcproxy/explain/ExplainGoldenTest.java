package io.svcproxy.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.cli.Main;
import io.svcproxy.golden.GoldenCase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

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
 * Golden explanations: test-fixtures/golden/CASE/explain-NAME.txt starts with the explain command
 * line ("# svcproxy explain ARGS"; the case's cluster.yaml and args are added) and an "# exit: N"
 * line, then holds exactly what the command prints. Regenerate with SVCPROXY_UPDATE_GOLDEN=1 and review.
 */
class ExplainGoldenTest {
    private static final boolean UPDATE = "1".equals(System.getenv("SVCPROXY_UPDATE_GOLDEN"));
    private static final String COMMAND = "# svcproxy explain ";

    @TestFactory
    List<DynamicTest> everyGoldenExplanationMatches() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all()) {
            List<Path> files;
            try (Stream<Path> s = Files.list(c.dir())) {
                files = s.filter(p -> p.getFileName().toString().matches("explain-.*\\.txt")).sorted().toList();
            }
            for (Path f : files) {
                tests.add(DynamicTest.dynamicTest(c.name() + " " + f.getFileName(), () -> check(c, f)));
            }
        }
        assertTrue(tests.size() >= 10, "golden explanations missing");
        return tests;
    }

    private static void check(GoldenCase c, Path file) throws IOException {
        String first = Files.readString(file).lines().findFirst().orElse("");
        assertTrue(first.startsWith(COMMAND), file + " must start with '" + COMMAND + "ARGS'");
        List<String> argv = new ArrayList<>(List.of("explain", "--cluster", c.dir().resolve("cluster.yaml").toString()));
        argv.addAll(c.args());
        argv.addAll(Arrays.asList(first.substring(COMMAND.length()).trim().split("\\s+")));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), argv.toArray(String[]::new));
        assertTrue(code != 1, "explain failed: " + err);
        String actual = first + "\n# exit: " + code + "\n" + out;
        if (UPDATE) {
            Files.writeString(file, actual);
        }
        assertEquals(Files.readString(file), actual, "golden explanation " + file);
    }
}
