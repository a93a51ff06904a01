package io.svcproxy.it;

import io.svcproxy.testing.NetNs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real packaged jar, optionally inside a network namespace. The jar is the one failsafe
 * names in the {@code svcproxy.jar} system property (it honours {@code -Dbuild.dir}); without it
 * (an IDE run), target/svcproxy.jar.
 */
public final class SvcproxyJar {
    public static final String PROPERTY = "svcproxy.jar";
    public static final Path JAR = locate();

    private SvcproxyJar() {
    }

    private static Path locate() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of("target", "svcproxy.jar").toAbsolutePath();
    }

    public static List<String> command(NetNs ns, String... args) {
        return command(ns == null ? null : ns.name(), List.of(args));
    }

    /** The argv running the jar with args, inside the named namespace (null: the current one). */
    public static List<String> command(String nsName, List<String> args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after 'mvn package'");
        }
        List<String> argv = new ArrayList<>();
        if (nsName != null) {
            argv.addAll(List.of("ip", "netns", "exec", nsName));
        }
        argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", JAR.toString()));
        argv.addAll(args);
        return argv;
    }

    public static NetNs.Result run(NetNs ns, String... args) {
        return NetNs.exec(command(ns, args), "");
    }
}
