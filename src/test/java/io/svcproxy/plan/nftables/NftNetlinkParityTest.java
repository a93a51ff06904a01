package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The planned kernel expressions of mix-2, rule for rule, against the expressions a real nft 1.0.6
 * compiled kube-proxy v1.36.2's rule texts into (`nft --debug=netlink list ruleset`, recorded next to
 * the reference): every chain's rules in order, every named set's elements (order aside), anonymous
 * sets by content. Skipped when the recording is not on this machine.
 */
class NftNetlinkParityTest {
    static final Path RECORDING = Path.of(System.getProperty("svcproxy.mix2.netlink", "test-fixtures/netlink/nftables/kube-proxy-v1.36.2-mix-2-nft-debug-netlink.txt"));
    private static final Pattern CHAIN_HEADER = Pattern.compile("^(ip6?) kube-proxy (\\S+) \\d+( \\d+)?$");
    private static final Pattern SET_HEADER = Pattern.compile("^(ip6?) kube-proxy @(\\S+)$");
    private static final Pattern ANON = Pattern.compile("set (__(?:map|set)\\d+)");

    /** What the recording holds per family: chain -> rules (lines), set -> element lines. */
    record Recorded(Map<String, List<List<String>>> chains, Map<String, List<String>> sets) {
    }

    @Test
    void mix2ExpressionsEqualNftsCompilation() throws IOException {
        assertTrue(Files.isRegularFile(RECORDING), "no recording at " + RECORDING);
        Path objects = NftParityTest.REFERENCE.resolve("mix-2").resolve("objects.yaml");
        assertTrue(Files.isRegularFile(objects), "reference data not present");
        Map<String, Recorded> recorded = parse(Files.readAllLines(RECORDING));
        for (NftTable table : NftParityTest.plan(objects).tables()) {
            Recorded want = recorded.get(table.family().keyword());
            assertEquals(render(want.chains()), render(chains(table)), table.family() + " chains");
            assertEquals(new TreeMap<>(want.sets()), new TreeMap<>(sets(table)), table.family() + " sets");
        }
    }

    static Map<String, List<List<String>>> chains(NftTable t) {
        Map<String, List<List<String>>> out = new TreeMap<>();
        for (NftChain c : t.chains().values()) {
            List<List<String>> rules = new ArrayList<>();
            for (NftRule r : c.rules()) {
                rules.add(NetlinkDebugText.rule(r));
            }
            out.put(c.name(), rules);
        }
        return out;
    }

    static Map<String, List<String>> sets(NftTable t) {
        Map<String, List<String>> out = new TreeMap<>();
        for (NftSet s : t.sets().values()) {
            List<String> els = new ArrayList<>();
            for (NftElement e : s.elements()) {
                els.add(NetlinkDebugText.element(e, false));
            }
            els.sort(null);
            out.put(s.name(), els);
        }
        return out;
    }

    /** One chain per block of lines, so a difference shows the chain it is in. */
    static String render(Map<String, List<List<String>>> chains) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(chains).forEach((name, rules) -> {
            sb.append(name).append('\n');
            for (List<String> r : rules) {
                r.forEach(l -> sb.append("  ").append(l).append('\n'));
                sb.append('\n');
            }
        });
        return sb.toString();
    }

    static Map<String, Recorded> parse(List<String> lines) {
        Map<String, Map<String, List<List<String>>>> chains = new LinkedHashMap<>();
        Map<String, Map<String, List<String>>> sets = new LinkedHashMap<>();
        List<String> rule = null;
        List<String> set = null;
        for (String raw : lines) {
            if (raw.startsWith("table ")) {
                break;
            }
            Matcher ch = CHAIN_HEADER.matcher(raw);
            Matcher st = SET_HEADER.matcher(raw);
            if (st.matches()) {
                set = new ArrayList<>();
                rule = null;
                sets.computeIfAbsent(st.group(1), k -> new LinkedHashMap<>()).put(st.group(2), set);
            } else if (ch.matches()) {
                rule = new ArrayList<>();
                set = null;
                chains.computeIfAbsent(ch.group(1), k -> new LinkedHashMap<>())
                        .computeIfAbsent(ch.group(2), k -> new ArrayList<>()).add(rule);
            } else if (raw.startsWith("\telement ") && set != null) {
                set.add(raw.substring(1));
            } else if (raw.startsWith("  ") && rule != null) {
                rule.add(raw.trim());
            }
        }
        Map<String, Recorded> out = new LinkedHashMap<>();
        for (String family : chains.keySet()) {
            Map<String, List<String>> familySets = sets.getOrDefault(family, Map.of());
            Map<String, List<List<String>>> resolved = new LinkedHashMap<>();
            chains.get(family).forEach((name, rules) -> resolved.put(name, rules.stream()
                    .map(r -> r.stream().map(l -> inlineAnonymous(l, familySets)).toList()).toList()));
            Map<String, List<String>> named = new LinkedHashMap<>();
            familySets.forEach((name, els) -> {
                if (!name.startsWith("__")) {
                    List<String> sorted = new ArrayList<>(els);
                    sorted.sort(null);
                    named.put(name, sorted);
                }
            });
            out.put(family, new Recorded(resolved, named));
        }
        return out;
    }

    private static String inlineAnonymous(String line, Map<String, List<String>> sets) {
        Matcher m = ANON.matcher(line);
        if (!m.find()) {
            return line;
        }
        List<String> els = new ArrayList<>(sets.getOrDefault(m.group(1), List.of()));
        els.sort(null);
        return line.substring(0, m.start()) + "set {" + String.join("; ", els) + "}" + line.substring(m.end());
    }
}
