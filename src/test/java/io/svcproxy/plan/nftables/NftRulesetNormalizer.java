package io.svcproxy.plan.nftables;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes two `nft list ruleset` texts comparable where the kernel's order is not reproducible:
 * elements of a named set one per line and sorted, per-service chains and sets (names with a "/")
 * sorted by name; fixed objects keep their order; handles stripped.
 */
public final class NftRulesetNormalizer {
    private static final Pattern HANDLE = Pattern.compile(" # handle \\d+");

    private NftRulesetNormalizer() {
    }

    /** How many elements each printed line holds, run-length encoded ("2x38 1"): nft's wrapping, order aside. */
    static String perLine(String body) {
        List<String> runs = new ArrayList<>();
        int last = -1;
        int run = 0;
        for (String line : body.split("\n")) {
            int count = line.trim().isEmpty() ? 0 : line.split(",\\s*").length;
            if (count == last) {
                run++;
            } else {
                if (last >= 0) {
                    runs.add(last + "x" + run);
                }
                last = count;
                run = 1;
            }
        }
        runs.add(last + "x" + run);
        return String.join(" ", runs);
    }

    public static List<String> normalize(String text) {
        List<String> out = new ArrayList<>();
        List<String> lines = List.of(HANDLE.matcher(text).replaceAll("").split("\n", -1));
        int i = 0;
        List<List<String>> serviceBlocks = new ArrayList<>();
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.startsWith("table ")) {
                out.add(line);
                i++;
                continue;
            }
            if (line.equals("}")) {
                serviceBlocks.sort((a, b) -> a.get(0).compareTo(b.get(0)));
                serviceBlocks.forEach(out::addAll);
                serviceBlocks.clear();
                out.add(line);
                i++;
                continue;
            }
            Matcher block = Pattern.compile("^\t(set|map|chain) (\\S+) \\{$").matcher(line);
            if (block.matches()) {
                List<String> b = new ArrayList<>();
                b.add(line);
                i++;
                while (!lines.get(i).equals("\t}")) {
                    String l = lines.get(i);
                    if (l.startsWith("\t\telements = { ")) {
                        StringBuilder all = new StringBuilder(l.substring("\t\telements = { ".length()));
                        while (!all.toString().endsWith(" }")) {
                            i++;
                            all.append('\n').append(lines.get(i));
                        }
                        String body = all.substring(0, all.length() - 2);
                        List<String> els = new ArrayList<>(List.of(body.split(",\\s+")));
                        els.sort(null);
                        b.add("\t\telements = { # per line: " + perLine(body));
                        els.forEach(e -> b.add("\t\t\t" + e.trim()));
                        b.add("\t\t}");
                    } else {
                        b.add(l);
                    }
                    i++;
                }
                b.add("\t}");
                i++;
                if (i < lines.size() && lines.get(i).isEmpty()) {
                    i++;
                }
                if (block.group(2).contains("/")) {
                    serviceBlocks.add(b);
                } else {
                    out.addAll(b);
                }
                continue;
            }
            if (!line.isEmpty()) {
                out.add(line);
            }
            i++;
        }
        return out;
    }
}
