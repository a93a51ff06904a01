package io.svcproxy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * docs/security.md claims "no shell anywhere": svcproxy runs external tools (iptables-restore,
 * conntrack, nfacct, ...) as argument vectors with payloads on stdin, so no object field can ever
 * reach a shell. This test keeps the claim true: it fails if src/main/java names a shell or runs a
 * command line through Runtime.exec(String) (which splits on spaces).
 */
class NoShellInMainSourcesTest {
    static final List<String> FORBIDDEN = List.of("/bin/sh", "/bin/bash", "/bin/dash", "sh -c", "bash", "zsh",
            "\"-c\"", "runtime.getruntime().exec(", "cmd.exe", "/usr/bin/env");

    @Test
    void noShellIsNamedInMainSources() throws IOException {
        Path main = Path.of("src", "main", "java");
        assertTrue(Files.isDirectory(main), "run from the project root: " + main.toAbsolutePath());
        List<String> hits = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(main)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    String l = lines.get(i).toLowerCase(Locale.ROOT);
                    for (String f : FORBIDDEN) {
                        if (l.contains(f)) {
                            hits.add(p + ":" + (i + 1) + ": '" + f + "': " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        System.out.println("[NoShellInMainSources] scanned " + files + " files for " + FORBIDDEN + ": " + hits.size()
                + " hits");
        assertTrue(files > 50, "scanned the real sources, found only " + files + " files");
        assertEquals(List.of(), hits, "no shell in src/main/java (docs/security.md)");
    }
}
