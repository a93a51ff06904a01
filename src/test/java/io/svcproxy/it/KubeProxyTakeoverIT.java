package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Takeover from, and rollback to, what real upstream kube-proxy v1.36.2 (iptables mode) left on a
 * node, with live traffic (issue 15). The node namespace gets kube-proxy's recorded ruleset exactly
 * as it was left ({@code iptables-restore} of its {@code iptables-save}, nfacct counters first;
 * {@code test-fixtures/reference/kube-proxy-v1.36.2/sets/mix-2}), the endpoints of a few of its services become real
 * (backend namespaces on routed veths, one echo server each), and a client pod connects to their
 * ClusterIPs and NodePorts continuously while
 * <ol>
 *   <li>svcproxy ({@code svcproxy run --cluster objects.yaml}, iptables mode, kube-proxy's node name
 *   and flags) starts and does its first sync: no failed connection, and what that sync wrote
 *   (recorded by a wrapper around {@code iptables-nft-restore}) is printed beside a full rewrite; IPv4
 *   writes nothing (kube-proxy's KUBE-SERVICES order is kept, see {@code OrderFreeChains}), nor does IPv6
 *   (kube-proxy's empty KUBE-FIREWALL there and its two jumps are planned too);</li>
 *   <li>a Service is added to the cluster file, then removed: each partial sync edits kube-proxy's
 *   KUBE-SERVICES in place (no rewrite), no failed connection, and the node is kube-proxy's again;</li>
 *   <li>svcproxy is stopped (SIGTERM by PID) and kube-proxy's first sync is replayed
 *   ({@code iptables-restore --noflush} of its full payload, rebuilt from the recorded ruleset):
 *   no failed connection, and the node reads back exactly as kube-proxy left it.</li>
 * </ol>
 * Figures are printed with the prefix {@code [takeover]}; no time is asserted. The node, backends,
 * client loops and teardown are {@link KubeProxyNode}'s, shared with the nftables-mode twin
 * {@link KubeProxyNftTakeoverIT}.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "ip6tables-nft-save", "ip6tables-nft-restore",
        "nfacct", "conntrack", "socat", "ss", "sysctl", "bash"})
class KubeProxyTakeoverIT {
    static final Path REFERENCE = KubeProxyNode.REFERENCE;
    static final String NAMESPACE = KubeProxyNode.NAMESPACE;
    static final String ADDED = KubeProxyNode.ADDED;
    static final List<String> FLAGS = KubeProxyNode.FLAGS;
    private static final Duration CMD = KubeProxyNode.CMD;

    private KubeProxyNode k;
    private Path dir;
    private NetNs node;
    private Pod client;
    private Daemon daemon;

    private void figure(String what, Object value) {
        k.figure(what, value);
    }

    @AfterEach
    void tearDown() {
        if (k != null) {
            k.close();
        }
    }

    @Test
    void takeoverFromKubeProxyAndRollbackLoseNoConnection() throws IOException {
        k = new KubeProxyNode("takeover");
        dir = k.dir();
        String savedV4 = Files.readString(REFERENCE.resolve("iptables-save.txt"));
        String savedV6 = Files.readString(REFERENCE.resolve("ip6tables-save.txt"));
        Map<String, KubeProxyNode.Target> targets = KubeProxyNode.targets(REFERENCE.resolve("objects.yaml"));

        // 1. The node as kube-proxy left it, backends answering on the real endpoints.
        node = k.createNode();
        in(node, "nfacct", "add", "ct_state_invalid_dropped_pkts");
        in(node, "nfacct", "add", "localhost_nps_accepted_pkts");
        Exec.checked(Exec.in(node.name(), List.of("iptables-nft-restore")), savedV4, CMD);
        Exec.checked(Exec.in(node.name(), List.of("ip6tables-nft-restore")), savedV6, CMD);
        assertEquals(rules(savedV4), rules(save("iptables-nft-save")), "the node holds kube-proxy's ruleset exactly");
        assertEquals(rules(savedV6), rules(save("ip6tables-nft-save")));

        // kube-proxy's rules serve every chosen address before anything else happens.
        Map<String, String[]> addresses = k.backendsAndClient(targets.values());
        client = k.client();

        // 2. Takeover: svcproxy starts over kube-proxy's rules while the client connects.
        Path payloads = dir.resolve("payloads");
        Path wrappers = restoreRecorders(payloads);
        ClusterFile cluster = new ClusterFile(dir).write(Files.readString(REFERENCE.resolve("objects.yaml")));
        daemon = k.daemon(List.of("--iptables-backend", "nft"));
        daemon.commandPrefix(List.of("env", "PATH=" + wrappers + ":" + System.getenv("PATH")));

        KubeProxyNode.Traffic takeover = k.traffic("takeover", addresses);
        takeover.awaitEach(20);
        long t0 = System.nanoTime();
        int before = takeover.total();
        daemon.start(cluster, FLAGS);   // returns after its first "sync complete"
        long startToSync = (System.nanoTime() - t0) / 1_000_000;
        int during = takeover.total() - before;
        takeover.awaitEach(takeover.most() + 20);
        Map<String, Histogram> takeoverResults = takeover.stop();

        String syncLine = daemon.logLines("sync complete").get(0);
        figure("svcproxy start to first sync complete", startToSync + " ms (JVM start, read, plan, write)");
        figure("first sync", syncLine.substring(syncLine.indexOf("sync complete")));
        figure("client connections while svcproxy started and did its first sync", during);
        int failed = k.report("takeover", takeoverResults);

        Payloads first = Payloads.read(payloads);
        figure("first sync's iptables-restore runs", first.files.size());
        first.describe().forEach(l -> figure("first sync wrote", l));
        String full = NetNs.exec(SvcproxyJar.command((String) null, concat(List.of("plan", "--cluster",
                REFERENCE.resolve("objects.yaml").toString(), "--against", "empty", "--output", "restore"),
                FLAGS.subList(0, 2))), "").stdout();
        figure("a full rewrite (svcproxy plan --against empty --output restore, IPv4)",
                full.lines().count() + " lines, " + full.length() + " bytes");
        KubeProxyPayload kubeProxyV4 = KubeProxyPayload.of(savedV4);
        figure("kube-proxy's first-sync payload (IPv4, rebuilt)", kubeProxyV4.text.lines().count() + " lines, "
                + kubeProxyV4.text.length() + " bytes, " + kubeProxyV4.chains + " chains");

        String afterV4 = save("iptables-nft-save");
        String afterV6 = save("ip6tables-nft-save");
        // What differs from kube-proxy's rules other than their order: nothing, in either family (IPv6's
        // jumps from INPUT and OUTPUT to an empty KUBE-FIREWALL are kube-proxy's and svcproxy's both).
        figure("rules svcproxy changed (IPv4)", contentChanges(savedV4, afterV4));
        figure("rules svcproxy changed (IPv6)", contentChanges(savedV6, afterV6));
        assertEquals(List.of(), contentChanges(savedV4, afterV4), "svcproxy changed a rule's content");
        assertEquals(List.of(), contentChanges(savedV6, afterV6), "svcproxy changed an IPv6 rule's content");
        // kube-proxy's order of KUBE-SERVICES & co. gives every packet the same verdicts as svcproxy's:
        // it stays (OrderFreeChains), so IPv4 needs no write at all.
        figure("chains whose order svcproxy changed (IPv4)", reordered(savedV4, afterV4));
        assertEquals(List.of(), reordered(savedV4, afterV4), "kube-proxy's order is kept");
        assertTrue(first.files.keySet().stream().noneMatch(f -> f.endsWith("-iptables-nft-restore")),
                "no IPv4 restore at all: " + first.describe());
        assertTrue(first.files.keySet().stream().noneMatch(f -> f.endsWith("-ip6tables-nft-restore")),
                "no IPv6 restore at all: " + first.describe());
        assertEquals(0, failed, "failed connections during the takeover");

        // 2b. A change after the takeover, with traffic: a Service added, then removed again. Each
        //     partial sync edits kube-proxy's KUBE-SERVICES in place (one rule inserted, then deleted),
        //     and leaves every other rule where kube-proxy put it.
        KubeProxyNode.Target s16 = targets.get("s16");
        String objects = Files.readString(REFERENCE.resolve("objects.yaml"));
        String added = KubeProxyNode.withAddedService(objects, s16);
        KubeProxyNode.Traffic change = k.traffic("change", addresses);
        change.awaitEach(20);
        int payloadsBefore = Payloads.read(payloads).files.size();
        daemon.update(() -> cluster.write(added));
        Histogram reached = client.tcpMany(ADDED, 80, 5, 1);
        figure("the added service", reached);
        assertEquals(0, reached.failures(), "the added service answers: " + reached);
        String withAdded = save("iptables-nft-save");
        daemon.update(() -> cluster.write(objects));
        change.awaitEach(change.most() + 20);
        int changeFailed = k.report("service added and removed after the takeover", change.stop());
        Payloads changes = Payloads.read(payloads);
        List<String> changeLines = new ArrayList<>();
        changes.describe().stream().skip(payloadsBefore).forEach(l -> {
            changeLines.add(l);
            figure("service added, then removed: wrote", l);
        });
        daemon.logLines("sync complete").stream().skip(1).forEach(l -> figure("sync", l.substring(l.indexOf("sync complete"))));
        List<String> keptOrder = rulesByChain(withAdded, false).get("nat KUBE-SERVICES").stream()
                .filter(r -> !r.contains(NAMESPACE + "/added")).toList();
        assertEquals(rulesByChain(savedV4, false).get("nat KUBE-SERVICES"), keptOrder,
                "the added service's rule went in without moving kube-proxy's");
        assertEquals(rules(savedV4), rules(save("iptables-nft-save")), "removed again: kube-proxy's rules, in its order");
        assertTrue(changeLines.stream().noneMatch(l -> l.contains("chains [KUBE-SERVICES") || l.contains(" KUBE-SERVICES,")
                || l.contains(" KUBE-SERVICES]")), "KUBE-SERVICES edited, not rewritten: " + changeLines);
        assertEquals(0, changeFailed, "failed connections while a service was added and removed");

        // 3. Rollback: svcproxy stops (SIGTERM), kube-proxy's first sync is replayed with --noflush.
        KubeProxyNode.Traffic rollback = k.traffic("rollback", addresses);
        rollback.awaitEach(20);
        assertEquals(0, daemon.terminate(), "SIGTERM exits 0; log:\n" + daemon.log());
        figure("svcproxy stopped (SIGTERM), pid", daemon.process().pid());
        rollback.awaitEach(rollback.most() + 10);
        long r0 = System.nanoTime();
        // kube-proxy's sync first ensures its jumps from the built-in chains (one command each), then
        // restores its payload.
        String jumpsV4 = missingJumps(savedV4, save("iptables-nft-save"));
        String jumpsV6 = missingJumps(savedV6, save("ip6tables-nft-save"));
        figure("jumps kube-proxy would re-add (IPv4 | IPv6)", jumpsV4.lines().filter(l -> l.startsWith("-I")).toList()
                + " | " + jumpsV6.lines().filter(l -> l.startsWith("-I")).toList());
        Exec.checked(Exec.in(node.name(), List.of("iptables-nft-restore", "--noflush")), jumpsV4, CMD);
        Exec.checked(Exec.in(node.name(), List.of("ip6tables-nft-restore", "--noflush")), jumpsV6, CMD);
        Exec.checked(Exec.in(node.name(), List.of("iptables-nft-restore", "--noflush")), kubeProxyV4.text, CMD);
        Exec.checked(Exec.in(node.name(), List.of("ip6tables-nft-restore", "--noflush")), KubeProxyPayload.of(savedV6).text, CMD);
        figure("kube-proxy's jumps and payload restored (IPv4 + IPv6, iptables-nft-restore --noflush)",
                (System.nanoTime() - r0) / 1_000_000 + " ms");
        rollback.awaitEach(rollback.most() + 20);
        int rollbackFailed = k.report("rollback", rollback.stop());
        assertEquals(rules(savedV4), rules(save("iptables-nft-save")), "the node reads back exactly as kube-proxy left it");
        assertEquals(rules(savedV6), rules(save("ip6tables-nft-save")));
        assertEquals(0, rollbackFailed, "failed connections during the rollback");
    }

    private static void in(NetNs ns, String... argv) {
        KubeProxyNode.in(ns, argv);
    }

    private String save(String tool) {
        return Exec.checked(Exec.in(node.name(), List.of(tool)), null, CMD);
    }

    /**
     * iptables-save output without its "#" comment lines (they carry the time) and with the chains'
     * packet counters zeroed (traffic moves them; the recorded ones are all [0:0]).
     */
    static List<String> rules(String save) {
        return save.lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.startsWith(":") ? l.replaceFirst(" \\[\\d+:\\d+\\]$", " [0:0]") : l).toList();
    }

    /** table/chain -> its rules, sorted when {@code ignoreOrder}. */
    static Map<String, List<String>> rulesByChain(String save, boolean ignoreOrder) {
        Map<String, List<String>> out = new TreeMap<>();
        String table = null;
        for (String l : save.lines().toList()) {
            if (l.startsWith("*")) {
                table = l.substring(1);
            } else if (l.startsWith(":")) {
                out.computeIfAbsent(table + " " + l.substring(1).split(" ")[0], k -> new ArrayList<>());
            } else if (l.startsWith("-A ")) {
                out.computeIfAbsent(table + " " + l.split(" ")[1], k -> new ArrayList<>()).add(l);
            }
        }
        if (ignoreOrder) {
            out.values().forEach(Collections::sort);
        }
        return out;
    }

    /** "- TABLE RULE" / "+ TABLE RULE" for every rule (as a multiset per chain) only one side has. */
    static List<String> contentChanges(String before, String after) {
        Map<String, List<String>> a = rulesByChain(before, true);
        Map<String, List<String>> b = rulesByChain(after, true);
        List<String> out = new ArrayList<>();
        Set<String> chains = new java.util.TreeSet<>(a.keySet());
        chains.addAll(b.keySet());
        for (String chain : chains) {
            String table = chain.split(" ")[0];
            List<String> was = new ArrayList<>(a.getOrDefault(chain, List.of()));
            List<String> now = new ArrayList<>(b.getOrDefault(chain, List.of()));
            if (!a.containsKey(chain) || !b.containsKey(chain)) {
                out.add((a.containsKey(chain) ? "- chain " : "+ chain ") + chain);
            }
            List<String> removed = new ArrayList<>(was);
            now.forEach(removed::remove);
            List<String> added = new ArrayList<>(now);
            was.forEach(added::remove);
            removed.forEach(r -> out.add("- " + table + " " + r));
            added.forEach(r -> out.add("+ " + table + " " + r));
        }
        return out;
    }

    /**
     * What kube-proxy's EnsureRule calls would add before its restore: each jump of a built-in chain
     * that {@code save} has and {@code now} lacks, inserted where {@code save} has it.
     */
    static String missingJumps(String save, String now) {
        Map<String, List<String>> want = rulesByChain(save, false);
        Map<String, List<String>> have = rulesByChain(now, false);
        Map<String, StringBuilder> byTable = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : want.entrySet()) {
            String[] tc = e.getKey().split(" ");
            if (!io.svcproxy.iptables.Ownership.isBuiltin(tc[1])) {
                continue;
            }
            List<String> rules = e.getValue();
            List<String> current = new ArrayList<>(have.getOrDefault(e.getKey(), List.of()));
            for (int i = 0; i < rules.size(); i++) {
                if (!current.contains(rules.get(i))) {
                    int position = Math.min(i, current.size());
                    current.add(position, rules.get(i));
                    byTable.computeIfAbsent(tc[0], k -> new StringBuilder()).append("-I ").append(tc[1]).append(' ')
                            .append(position + 1).append(rules.get(i).substring(("-A " + tc[1]).length())).append('\n');
                }
            }
        }
        StringBuilder out = new StringBuilder();
        byTable.forEach((table, lines) -> out.append('*').append(table).append('\n').append(lines).append("COMMIT\n"));
        return out.toString();
    }

    static List<String> reordered(String before, String after) {
        Map<String, List<String>> a = rulesByChain(before, false);
        Map<String, List<String>> b = rulesByChain(after, false);
        return a.keySet().stream().filter(k -> !a.get(k).equals(b.get(k))).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    /**
     * Wrappers first on the daemon's PATH that keep a copy of every iptables-restore payload (test
     * scaffolding; the daemon itself runs no shell), then run the real tool on it.
     */
    private Path restoreRecorders(Path payloads) throws IOException {
        Path wrappers = dir.resolve("wrappers");
        Files.createDirectories(wrappers);
        Files.createDirectories(payloads);
        for (String tool : List.of("iptables-nft-restore", "ip6tables-nft-restore")) {
            Path script = wrappers.resolve(tool);
            Files.writeString(script, """
                    #!/bin/bash
                    f="%s/$(date +%%s%%N)-%s"
                    cat > "$f"
                    exec /usr/sbin/%s "$@" < "$f"
                    """.formatted(payloads, tool, tool));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return wrappers;
    }

    /** What the daemon's restores were fed. */
    record Payloads(Map<String, String> files) {
        static Payloads read(Path dir) throws IOException {
            Map<String, String> files = new TreeMap<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    files.put(p.getFileName().toString(), Files.readString(p));
                }
            }
            return new Payloads(files);
        }

        List<String> describe() {
            List<String> out = new ArrayList<>();
            files.forEach((name, text) -> {
                List<String> lines = text.lines().toList();
                Map<String, Long> kinds = lines.stream().collect(Collectors.groupingBy(
                        l -> l.startsWith(":") ? "chains declared (created or flushed)" : l.startsWith("-A") ? "-A"
                                : l.startsWith("-I") ? "-I" : l.startsWith("-D") ? "-D" : l.startsWith("-X") ? "-X" : "other",
                        TreeMap::new, Collectors.counting()));
                List<String> declared = lines.stream().filter(l -> l.startsWith(":")).map(l -> l.split(" ")[0].substring(1)).toList();
                out.add(name.substring(name.indexOf('-') + 1) + ": " + lines.size() + " lines, " + text.length() + " bytes, "
                        + kinds + (declared.isEmpty() ? "" : ", chains " + declared));
            });
            return out;
        }
    }

    /**
     * kube-proxy's first-sync payload, rebuilt from what it left: {@code *filter} and {@code *nat} with a
     * {@code :CHAIN - [0:0]} line for each chain its restore writes and all their rules. (It creates
     * KUBE-PROXY-CANARY, KUBE-FIREWALL and the jumps from the built-in chains with single commands,
     * outside the payload.)
     */
    record KubeProxyPayload(String text, int chains) {
        static final Set<String> OUTSIDE = Set.of("KUBE-PROXY-CANARY", "KUBE-FIREWALL");

        static KubeProxyPayload of(String save) {
            StringBuilder out = new StringBuilder();
            int chains = 0;
            for (String table : List.of("filter", "nat")) {
                List<String> declarations = new ArrayList<>();
                List<String> rules = new ArrayList<>();
                boolean in = false;
                for (String l : save.lines().toList()) {
                    if (l.startsWith("*")) {
                        in = l.equals("*" + table);
                    } else if (in && l.startsWith(":") && l.contains(" - ")) {
                        String chain = l.substring(1).split(" ")[0];
                        if (!OUTSIDE.contains(chain)) {
                            declarations.add(":" + chain + " - [0:0]");
                        }
                    } else if (in && l.startsWith("-A ") && declarations.contains(":" + l.split(" ")[1] + " - [0:0]")) {
                        rules.add(l);
                    }
                }
                out.append('*').append(table).append('\n');
                declarations.forEach(d -> out.append(d).append('\n'));
                rules.forEach(r -> out.append(r).append('\n'));
                out.append("COMMIT\n");
                chains += declarations.size();
            }
            return new KubeProxyPayload(out.toString(), chains);
        }
    }
}
