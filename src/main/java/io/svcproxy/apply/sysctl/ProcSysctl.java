package io.svcproxy.apply.sysctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Sysctls as files under a root directory: /proc/sys on a node, a temp dir in tests. /proc/sys/net
 * shows the network namespace of the calling thread.
 */
public final class ProcSysctl implements SysctlAccess {
    public static final Path PROC_SYS = Path.of("/proc/sys");

    private final Path root;

    public ProcSysctl() {
        this(PROC_SYS);
    }

    public ProcSysctl(Path root) {
        this.root = root;
    }

    @Override
    public Optional<String> read(String key) {
        try {
            return Optional.of(Files.readString(path(key), StandardCharsets.UTF_8).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SysctlException("cannot read sysctl " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String key, String value) {
        Path path = path(key);
        if (!Files.exists(path)) {
            throw new SysctlException("sysctl " + key + " does not exist", null);
        }
        try {
            // No CREATE: a sysctl file exists or the key is wrong; TRUNCATE matters for the temp-dir root only.
            Files.writeString(path, value + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new SysctlException("cannot write sysctl " + key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private Path path(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..")) {
            throw new IllegalArgumentException("bad sysctl key '" + key + "'");
        }
        return root.resolve(key.replace('.', '/'));
    }
}
