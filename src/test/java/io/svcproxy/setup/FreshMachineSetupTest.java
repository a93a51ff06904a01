package io.svcproxy.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What keeps the README's two commands the whole set-up, without the network: every Makefile target
 * that runs Maven installs the toolchain first, and the one package list names the JDK and Maven.
 * scripts/fresh-machine-check.sh (make fresh-machine-check) proves the same on a bare Debian root;
 * it downloads a root, a JDK and Maven's dependencies, so it is not part of `make test`.
 */
class FreshMachineSetupTest {
    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(dir.resolve("Makefile"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    @Test
    void everyTargetThatRunsMavenInstallsTheToolchainFirst() throws Exception {
        String makefile = Files.readString(root().resolve("Makefile"));
        // A rule: "name: prerequisites" then its tab-indented recipe.
        Matcher rule = Pattern.compile("(?m)^([a-z][a-z0-9-]*):([^\\n=]*)\\n((?:\\t.*\\n?)*)").matcher(makefile);
        int maven = 0;
        while (rule.find()) {
            String name = rule.group(1);
            List<String> prerequisites = List.of(rule.group(2).trim().split("\\s+"));
            if (rule.group(3).contains("$(MVN)")) {
                maven++;
                if (!name.equals("clean")) {
                    assertTrue(prerequisites.contains("toolchain"), "make " + name + " runs Maven without the toolchain");
                }
            }
        }
        assertTrue(maven >= 5, "found the Maven targets: " + maven);
        assertTrue(makefile.contains("demo: build"), "make demo builds (and so installs the toolchain) first");
        assertTrue(makefile.contains("toolchain:\n\t@scripts/install-test-deps.sh --build"), makefile);
    }

    @Test
    void theOnePackageListNamesTheToolchainAndTheBuildStepFindsItHere() throws Exception {
        Path script = root().resolve("scripts/install-test-deps.sh");
        String text = Files.readString(script);
        assertTrue(text.contains("JDK_PACKAGE=openjdk-17-jdk-headless") && text.contains("MAVEN_PACKAGE=maven"), text);
        // This machine builds the project, so the toolchain is present: the build step installs nothing.
        Process p = new ProcessBuilder("bash", script.toString(), "--build").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("build toolchain present"), out);
    }
}
