package io.svcproxy.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Tears down in steps that all run even when one fails (processes, servers, namespaces), then throws
 * one exception naming every failure, each attached as suppressed.
 */
public final class Teardown {
    private final String what;
    private final List<RuntimeException> problems = new ArrayList<>();

    public Teardown(String what) {
        this.what = what;
    }

    /** Runs step now; a failure is kept for {@link #done()}. */
    public Teardown step(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            problems.add(e);
        }
        return this;
    }

    /** Throws if any step failed. */
    public void done() {
        if (!problems.isEmpty()) {
            IllegalStateException e = new IllegalStateException(what + " teardown: " + problems);
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }
}
