package io.svcproxy.explain.iptables;

import java.util.List;

/**
 * What a rule does when it matches: {@code name} is the word after -j (or the chain after -g, with
 * {@code goTo} set), {@code options} the target's own options as words.
 */
record Target(String name, boolean goTo, List<String> options) {
    static final Target NONE = new Target("", false, List.of());

    Target {
        options = List.copyOf(options);
    }

    /** The value of {@code --option}, or null. */
    String option(String option) {
        int i = options.indexOf(option);
        return i >= 0 && i + 1 < options.size() ? options.get(i + 1) : null;
    }

    boolean has(String option) {
        return options.contains(option);
    }
}
