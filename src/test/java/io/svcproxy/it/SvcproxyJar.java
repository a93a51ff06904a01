package io.svcproxy.it;

import io.svcproxy.testing.NetNs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the real packaged jar (target/svcproxy.jar), optionally inside a network namespace. */
public final class SvcproxyJar {
    public static final Path JAR = Path.of("target", "svcproxy.jar").toAbsolutePath();

    private SvcproxyJar() {
    }

    public static List<String> command(NetNs ns, String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after 'mvn package'");
        }
        List<String> argv = new ArrayList<>();
        if (ns != null) {
            argv.addAll(List.of("ip", "netns", "exec", ns.name()));
        }
        argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", JAR.toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    public static NetNs.Result run(NetNs ns, String... args) {
        return NetNs.exec(command(ns, args), "");
    }
}
