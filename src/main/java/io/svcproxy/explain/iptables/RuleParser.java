package io.svcproxy.explain.iptables;

import io.svcproxy.iptables.RuleText;
import io.svcproxy.model.Cidr;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a canonical rule spec (iptables-save's form) into conditions and a target. The matches
 * kube-proxy's rules use are evaluated exactly ({@link Matches}); any other module becomes an
 * "unknown" condition naming itself, so the walk says what it could not evaluate instead of guessing.
 */
final class RuleParser {
    private RuleParser() {
    }

    static ParsedRule parse(String spec) {
        List<String> t = RuleText.tokens(spec);
        List<Condition> conditions = new ArrayList<>();
        Target target = Target.NONE;
        int i = 0;
        while (i < t.size()) {
            boolean negate = false;
            String w = t.get(i);
            if (w.equals("!")) {
                negate = true;
                w = t.get(++i);
            }
            switch (w) {
                case "-s", "--source" -> conditions.add(Matches.source(Cidr.parse(host(t.get(++i))), negate));
                case "-d", "--destination" ->
                        conditions.add(Matches.destination(Cidr.parse(host(t.get(++i))), negate));
                case "-i", "--in-interface" -> conditions.add(Matches.inInterface(t.get(++i), negate));
                case "-o", "--out-interface" -> conditions.add(Matches.outInterface(t.get(++i), negate));
                case "-p", "--protocol" -> conditions.add(Matches.protocol(t.get(++i), negate));
                case "-f", "--fragment" -> conditions.add(Matches.of(!negate ? Test.NO : Test.YES));
                case "-m", "--match" -> {
                    String module = t.get(++i);
                    List<String> options = new ArrayList<>();
                    while (i + 1 < t.size() && !startsPart(t, i + 1)) {
                        options.add(t.get(++i));
                    }
                    conditions.add(Matches.module(module, options));
                }
                case "-j", "--jump", "-g", "--goto" -> {
                    String name = t.get(++i);
                    List<String> options = new ArrayList<>();
                    while (i + 1 < t.size()) {
                        options.add(t.get(++i));
                    }
                    target = new Target(name, w.equals("-g") || w.equals("--goto"), options);
                }
                default -> conditions.add(Matches.of(new Test.Unknown("unknown option " + w)));
            }
            i++;
        }
        return new ParsedRule(spec, conditions, target);
    }

    /** A word that starts the next part of the spec (a new match, the target, a base option). */
    private static boolean startsPart(List<String> t, int i) {
        String w = t.get(i);
        if (w.equals("!")) {
            return i + 1 < t.size() && startsPart(t, i + 1);
        }
        return w.equals("-m") || w.equals("-j") || w.equals("-g") || w.equals("-s") || w.equals("-d")
                || w.equals("-i") || w.equals("-o") || w.equals("-p");
    }

    /** iptables-save always prints a prefix; a bare host from a hand-written dump gets /32 or /128. */
    private static String host(String a) {
        return a.contains("/") ? a : a + (a.contains(":") ? "/128" : "/32");
    }
}
