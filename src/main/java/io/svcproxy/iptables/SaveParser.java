package io.svcproxy.iptables;

import io.svcproxy.model.IpFamily;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses iptables-save / ip6tables-save output (nft and legacy backends, with or without -c
 * counters) into a {@link Ruleset}. Foreign chains and rules are kept verbatim.
 */
public final class SaveParser {
    private SaveParser() {
    }

    public static Ruleset parse(IpFamily family, String text) {
        return parse(family, new StringReader(text));
    }

    public static Ruleset parse(IpFamily family, Reader text) {
        BufferedReader in = text instanceof BufferedReader b ? b : new BufferedReader(text);
        Map<String, Table> tables = new LinkedHashMap<>();
        String tableName = null;
        int tableLine = 0;
        Map<String, String> policies = null;
        Map<String, List<String>> rules = null;
        int lineNumber = 0;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("*")) {
                    if (tableName != null) {
                        throw new SaveParseException(lineNumber, "table '" + tableName + "' (line " + tableLine + ") has no COMMIT before the next table", line);
                    }
                    tableName = line.substring(1).trim();
                    if (tableName.isEmpty()) {
                        throw new SaveParseException(lineNumber, "empty table name", line);
                    }
                    if (tables.containsKey(tableName)) {
                        throw new SaveParseException(lineNumber, "table '" + tableName + "' appears twice", line);
                    }
                    tableLine = lineNumber;
                    policies = new LinkedHashMap<>();
                    rules = new LinkedHashMap<>();
                    continue;
                }
                if (tableName == null) {
                    throw new SaveParseException(lineNumber, "expected '*table' before this line", line);
                }
                if (line.equals("COMMIT")) {
                    Map<String, Chain> chains = new LinkedHashMap<>();
                    for (Map.Entry<String, String> e : policies.entrySet()) {
                        chains.put(e.getKey(), new Chain(e.getKey(), e.getValue(), rules.get(e.getKey())));
                    }
                    tables.put(tableName, new Table(tableName, chains));
                    tableName = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    String[] words = line.substring(1).trim().split(" +");
                    if (words.length < 2 || words.length > 3 || words[0].isEmpty()) {
                        throw new SaveParseException(lineNumber, "expected ':CHAIN POLICY [packets:bytes]'", line);
                    }
                    if (policies.containsKey(words[0])) {
                        throw new SaveParseException(lineNumber, "chain '" + words[0] + "' declared twice", line);
                    }
                    policies.put(words[0], words[1]);
                    rules.put(words[0], new ArrayList<>());
                    continue;
                }
                String ruleLine = stripCounters(line, lineNumber);
                if (ruleLine.startsWith("-A ")) {
                    int space = ruleLine.indexOf(' ', 3);
                    String chain = space < 0 ? ruleLine.substring(3) : ruleLine.substring(3, space);
                    String spec = space < 0 ? "" : ruleLine.substring(space + 1);
                    List<String> chainRules = rules.get(chain);
                    if (chain.isEmpty()) {
                        throw new SaveParseException(lineNumber, "missing chain name after -A", line);
                    }
                    if (chainRules == null) {
                        throw new SaveParseException(lineNumber, "rule for undeclared chain '" + chain + "' in table '" + tableName + "'", line);
                    }
                    chainRules.add(spec);
                    continue;
                }
                throw new SaveParseException(lineNumber, "unexpected line", line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tableName != null) {
            throw new SaveParseException(lineNumber, "table '" + tableName + "' (line " + tableLine + ") ends without COMMIT", null);
        }
        return new Ruleset(family, tables);
    }

    /** iptables-save -c prefixes rules with "[packets:bytes] "; counters are not part of a rule. */
    private static String stripCounters(String line, int lineNumber) {
        if (!line.startsWith("[")) {
            return line;
        }
        int close = line.indexOf("] ");
        if (close < 0) {
            throw new SaveParseException(lineNumber, "malformed rule counters", line);
        }
        return line.substring(close + 2);
    }
}
