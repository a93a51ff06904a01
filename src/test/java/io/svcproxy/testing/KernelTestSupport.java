package io.svcproxy.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place that decides what happens when a kernel test cannot run (not root, tool missing):
 * with SVCPROXY_REQUIRE_KERNEL_TESTS=1 the test fails, so CI cannot silently skip it; otherwise it
 * is skipped through a JUnit assumption, with a loud message on stderr saying what and why.
 */
public final class KernelTestSupport implements BeforeAllCallback {
    public static final String REQUIRE_ENV = "SVCPROXY_REQUIRE_KERNEL_TESTS";

    private final java.util.function.Function<String, String> env;

    public KernelTestSupport() {
        this(System::getenv);
    }

    KernelTestSupport(java.util.function.Function<String, String> env) {
        this.env = env;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        KernelTest annotation = testClass.getAnnotation(KernelTest.class);
        Set<String> tools = new LinkedHashSet<>(List.of("ip"));
        if (annotation != null) {
            tools.addAll(List.of(annotation.tools()));
        }
        List<String> problems = new ArrayList<>();
        if (!isRoot()) {
            problems.add("not running as root (network namespaces need CAP_SYS_ADMIN)");
        }
        for (String tool : tools) {
            if (findTool(tool) == null) {
                problems.add("tool '" + tool + "' not found (run scripts/install-test-deps.sh as root)");
            }
        }
        if (problems.isEmpty()) {
            return;
        }
        String message = "kernel tests in " + testClass.getSimpleName() + " cannot run: " + String.join("; ", problems);
        skipOrFail(message, env);
    }

    /**
     * The same policy for tests that decide themselves that they cannot run (no gcc, no IPVS VM
     * tool...): fails with SVCPROXY_REQUIRE_KERNEL_TESTS=1, else skips loudly. Never returns.
     */
    public static void skipOrFail(String message) {
        skipOrFail(message, System::getenv);
    }

    static void skipOrFail(String message, java.util.function.Function<String, String> env) {
        if ("1".equals(env.apply(REQUIRE_ENV))) {
            throw new AssertionError(message + " (" + REQUIRE_ENV + "=1 forbids skipping)");
        }
        System.err.println("!!!!! SKIPPED " + message + ". Set " + REQUIRE_ENV + "=1 to make this a failure.");
        Assumptions.abort(message);
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.trim().split("\\s+");
                    return f.length > 2 && f[2].equals("0");   // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The executable's path, searching PATH and the sbin directories (often missing from a user PATH). */
    public static Path findTool(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
