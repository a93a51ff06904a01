package io.svcproxy.cli;

import sun.misc.Signal;

/**
 * SIGTERM/SIGINT stop the daemon cleanly (exit 0, rules left in place) instead of the JVM's default
 * exit 143, so a rolling restart is not reported as a crash.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> action.run());
        }
    }
}
