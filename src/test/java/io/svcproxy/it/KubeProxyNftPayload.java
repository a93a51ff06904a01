package io.svcproxy.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transaction kube-proxy's nftables mode sends on its first sync after a start (one
 * {@code nft -f}, per IP family), rebuilt from the {@code nft list ruleset} it left. As upstream's
 * proxier ({@code pkg/proxy/nftables/proxier.go}: {@code setupNFTables} and a full
 * {@code syncProxyRules}) writes it: {@code add table} (with its comment); for each base chain an
 * {@code add chain} + {@code delete chain} once per process (so a changed hook or priority can be
 * re-created), then {@code add chain} with its hook + {@code flush chain}; {@code add chain} +
 * {@code flush chain} for every other chain it writes (the fixed ones and, in a full sync, every
 * service and endpoint chain); {@code add set}/{@code add map} for each container, and
 * {@code flush} of those it keeps the elements of (all but the ClientIP-affinity sets, which it only
 * adds); then every element and every rule again. Upstream interleaves these per service; here they
 * are grouped by kind (chains, containers, flushes, elements, rules) so each reference is declared
 * before its use whatever the kernel held: the same operations, in one transaction either way.
 * Never a {@code flush table} or {@code delete table}: that is only its cleanup.
 */
record KubeProxyNftPayload(String text, int tables, List<String> baseChainNames, int chains, int containers,
                           int elements, int rules) {
    private static final Pattern TABLE = Pattern.compile("^table (\\S+) (\\S+) \\{$");
    private static final Pattern BLOCK = Pattern.compile("^\t(set|map|chain) (\\S+) \\{$");

    static KubeProxyNftPayload of(String listing) {
        List<String> lines = listing.lines().toList();
        StringBuilder out = new StringBuilder();
        int tables = 0;
        List<String> baseChains = new ArrayList<>();
        int chainCount = 0;
        int containerCount = 0;
        int elementCount = 0;
        int ruleCount = 0;
        int i = 0;
        while (i < lines.size()) {
            Matcher t = TABLE.matcher(lines.get(i));
            if (!t.matches()) {
                if (!lines.get(i).isBlank()) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": not a table: " + lines.get(i));
                }
                i++;
                continue;
            }
            String where = t.group(1) + " " + t.group(2);
            tables++;
            i++;
            String tableComment = null;
            List<String[]> chains = new ArrayList<>();      // name, spec ("" for none)
            List<String> base = new ArrayList<>();
            List<String> rules = new ArrayList<>();
            List<String> containers = new ArrayList<>();
            List<String> flushes = new ArrayList<>();
            List<String> elements = new ArrayList<>();
            while (!lines.get(i).equals("}")) {
                String line = lines.get(i);
                if (line.startsWith("\tcomment ")) {
                    tableComment = line.trim();
                    i++;
                    continue;
                }
                Matcher b = BLOCK.matcher(line);
                if (!b.matches()) {
                    if (!line.isBlank()) {
                        throw new IllegalArgumentException("line " + (i + 1) + ": unexpected: " + line);
                    }
                    i++;
                    continue;
                }
                String kind = b.group(1);
                String name = b.group(2);
                i++;
                List<String> body = new ArrayList<>();
                while (!lines.get(i).equals("\t}")) {
                    body.add(lines.get(i).substring(2));
                    i++;
                }
                i++;
                if (kind.equals("chain")) {
                    String spec = "";
                    int first = 0;
                    if (!body.isEmpty() && body.get(0).startsWith("type ")) {
                        spec = body.get(0);
                        base.add(name);
                        first = 1;
                    } else if (!body.isEmpty() && body.get(0).startsWith("comment ")) {
                        spec = body.get(0) + " ;";
                        first = 1;
                    }
                    chains.add(new String[]{name, spec});
                    for (String r : body.subList(first, body.size())) {
                        rules.add("add rule " + where + " " + name + " " + r);
                    }
                } else {
                    List<String> props = new ArrayList<>();
                    StringBuilder els = null;
                    for (String l : body) {
                        if (els != null) {
                            els.append(' ').append(l.trim());
                        } else if (l.startsWith("elements = { ")) {
                            els = new StringBuilder(l.substring("elements = ".length()));
                        } else if (!l.startsWith("size ")) {   // nft lists the kernel's default; upstream sets none
                            props.add(l.trim());
                        }
                    }
                    containers.add("add " + kind + " " + where + " " + name + " { " + String.join(" ; ", props) + " ; }");
                    if (!name.startsWith("affinity-")) {
                        flushes.add("flush " + kind + " " + where + " " + name);
                    }
                    if (els != null) {
                        elements.add("add element " + where + " " + name + " " + els);
                        elementCount += els.toString().split(",").length;
                    }
                }
            }
            i++;
            out.append("add table ").append(where)
                    .append(tableComment == null ? "" : " { " + tableComment + " ; }").append('\n');
            for (String c : base) {
                out.append("add chain ").append(where).append(' ').append(c).append('\n');
                out.append("delete chain ").append(where).append(' ').append(c).append('\n');
            }
            for (String[] c : chains) {
                out.append("add chain ").append(where).append(' ').append(c[0])
                        .append(c[1].isEmpty() ? "" : " { " + c[1] + " }").append('\n');
                out.append("flush chain ").append(where).append(' ').append(c[0]).append('\n');
            }
            containers.forEach(c -> out.append(c).append('\n'));
            flushes.forEach(f -> out.append(f).append('\n'));
            elements.forEach(e -> out.append(e).append('\n'));
            rules.forEach(r -> out.append(r).append('\n'));
            base.forEach(c -> baseChains.add(t.group(1) + " " + c));
            chainCount += chains.size();
            containerCount += containers.size();
            ruleCount += rules.size();
        }
        return new KubeProxyNftPayload(out.toString(), tables, baseChains, chainCount, containerCount, elementCount,
                ruleCount);
    }

    String describe() {
        return tables + " tables, " + chains + " chains (" + baseChainNames.size() + " base chains added+deleted first), "
                + containers + " sets/maps, " + elements + " elements, " + rules + " rules; "
                + text.lines().count() + " commands, " + text.length() + " bytes";
    }
}
