package io.svcproxy.netlink.nftables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * `nft list ruleset` text made comparable across two kernels' copies of the same table: the
 * elements of a set are listed in the kernel's (hash) order, which depends on insertion order,
 * so each "elements = { ... }" block becomes one line with its elements sorted; handles go.
 * {@link #normalizeObjectOrder} also sorts per-service sets and chains (names with a "/") by
 * name, for texts whose objects were created in another order.
 */
final class NftRulesetText {
    private NftRulesetText() {
    }

    static String normalize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder elements = null;
        for (String line : text.split("\n", -1)) {
            String t = line.strip();
            if (elements == null && t.startsWith("elements = {")) {
                elements = new StringBuilder(t.substring("elements = {".length()));
            } else if (elements != null) {
                elements.append(' ').append(t);
            } else {
                out.add(line.replaceAll("\\s+# handle \\d+$", ""));
                continue;
            }
            if (elements.toString().endsWith("}")) {
                String body = elements.substring(0, elements.length() - 1).strip();
                String[] items = body.split(",\\s*");
                for (int i = 0; i < items.length; i++) {
                    items[i] = items[i].strip();
                }
                Arrays.sort(items);
                out.add("\t\telements = { " + String.join(", ", items) + " }");
                elements = null;
            }
        }
        return String.join("\n", out);
    }

    /** {@link #normalize}, and per-service objects sorted by name after the fixed ones of their kind. */
    static String normalizeObjectOrder(String text) {
        List<String> lines = List.of(normalize(text).split("\n", -1));
        List<String> out = new ArrayList<>();
        List<List<String>> fixed = new ArrayList<>();
        List<List<String>> perService = new ArrayList<>();
        String kind = null;
        List<String> block = null;
        for (String line : lines) {
            if (block != null) {
                block.add(line);
                if (line.equals("\t}")) {
                    block = null;
                }
                continue;
            }
            String[] words = line.strip().split(" ");
            boolean opens = line.startsWith("\t") && !line.startsWith("\t\t") && line.endsWith("{") && words.length == 3;
            if (opens) {
                String k = words[0].equals("chain") ? "chain" : "set";
                if (!k.equals(kind)) {
                    flush(out, fixed, perService);
                    kind = k;
                }
                block = new ArrayList<>(List.of(line));
                (words[1].contains("/") ? perService : fixed).add(block);
            } else if (line.isBlank() && kind != null) {
                continue;
            } else {
                flush(out, fixed, perService);
                kind = null;
                out.add(line);
            }
        }
        flush(out, fixed, perService);
        return String.join("\n", out);
    }

    private static void flush(List<String> out, List<List<String>> fixed, List<List<String>> perService) {
        perService.sort(Comparator.comparing(b -> b.get(0)));
        for (List<String> b : fixed) {
            out.addAll(b);
        }
        for (List<String> b : perService) {
            out.addAll(b);
        }
        fixed.clear();
        perService.clear();
    }
}
