package io.svcproxy.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the parts of a canonical rule spec (as iptables-save prints it) that the diff needs: its
 * tokens, its jump/goto target and its comment. Quoted words follow iptables-save's quoting: double
 * quotes, with \" \' \\ escaped inside.
 */
public final class RuleText {
    private RuleText() {
    }

    /** Splits a spec into words, unquoting quoted words. Empty words (from double spaces) are dropped. */
    public static List<String> tokens(String spec) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < spec.length()) {
                    word.append(spec.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote in rule spec: " + spec);
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    /** The chain or target named by {@code -j} or {@code -g}, if any. */
    public static Optional<String> target(String spec) {
        List<String> words = tokens(spec);
        for (int i = 0; i + 1 < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-j") || w.equals("-g") || w.equals("--jump") || w.equals("--goto")) {
                return Optional.of(words.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /** The text of the first {@code --comment}, unquoted, if any. */
    public static Optional<String> comment(String spec) {
        if (!spec.contains("--comment")) {
            return Optional.empty();
        }
        List<String> words = tokens(spec);
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals("--comment")) {
                return Optional.of(words.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * The service a rule belongs to, from the first word of its comment when that word looks like
     * kube-proxy's "ns/name[:port]"; empty for shared rules ("kubernetes service nodeports; ...").
     */
    public static Optional<String> serviceOf(String spec) {
        return comment(spec).flatMap(RuleText::serviceOfComment);
    }

    static Optional<String> serviceOfComment(String comment) {
        int space = comment.indexOf(' ');
        String first = space < 0 ? comment : comment.substring(0, space);
        int slash = first.indexOf('/');
        if (slash <= 0 || slash == first.length() - 1 || first.indexOf('/', slash + 1) >= 0) {
            return Optional.empty();
        }
        return Optional.of(first);
    }
}
