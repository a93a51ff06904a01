package io.svcproxy.netlink.nftables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * `nft list ruleset` text made comparable across two kernels' copies of the same table: the
 * elements of a set are listed in the kernel's (hash) order, which depends on insertion order,
 * so each "elements = { ... }" block becomes one line with its elements sorted.
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
}
