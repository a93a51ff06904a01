package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.plan.nftables.NftRulesetNormalizer;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takeover from, and rollback to, what real upstream kube-proxy v1.36.2 in nftables mode left on a
 * node, with live traffic (issue 15); the iptables-mode twin is {@link KubeProxyTakeoverIT}, the
 * topology and client loops are {@link KubeProxyNode}'s. The node namespace gets kube-proxy's recorded
 * ruleset exactly as it was left ({@code nft -f} of its {@code nft list ruleset}, both tables
 * {@code ip kube-proxy} and {@code ip6 kube-proxy}), the endpoints of three of its services become
 * real, and a client pod connects to their ClusterIPs and NodePorts continuously while
 * <ol>
 *   <li>svcproxy ({@code svcproxy run --proxy-mode nftables --cluster FILE}, kube-proxy's node name
 *   and flags; the file is objects.yaml plus the API server's default ServiceCIDR 10.96.0.0/16, which
 *   kube-proxy read from the API) starts and does its first sync: no failed connection, the sync
 *   sends nothing ({@code writes=0 payload bytes=0}), {@code nft monitor} in the node namespace sees
 *   no change, and {@code nft -a list ruleset} reads the same, handles included;</li>
 *   <li>a Service is added to the cluster file, then removed: no failed connection, and the node
 *   reads back as kube-proxy left it;</li>
 *   <li>svcproxy is stopped (SIGTERM by PID) and kube-proxy's first sync is replayed (one
 *   {@code nft -f} transaction, built from the recorded ruleset by {@link KubeProxyNftPayload}): no
 *   failed connection, and the node reads back as kube-proxy left it (handles and element order
 *   aside).</li>
 * </ol>
 * The elements the packet path adds to the ClientIP-affinity sets (dynamic, with timeouts and
 * expiry) are state, not rules: every comparison leaves them out. Figures are printed with the prefix
 * {@code [nft-takeover]}; no time is asserted.
 */
@KernelTest(tools = {"nft", "conntrack", "socat", "ss", "sysctl", "bash"})
class KubeProxyNftTakeoverIT {
    /** The API server's default ServiceCIDR where the reference was recorded (kube-proxy read it from the API). */
    static final String SERVICE_CIDR = """
            apiVersion: networking.k8s.io/v1
            kind: ServiceCIDR
            metadata: {name: kubernetes}
            spec: {cidrs: [10.96.0.0/16]}
            """;

    private KubeProxyNode k;

    @AfterEach
    void tearDown() {
        if (k != null) {
            k.close();
        }
    }

    @Test
    void takeoverFromKubeProxyNftablesAndRollbackLoseNoConnection() throws IOException {
        k = new KubeProxyNode("nft-takeover");
        String recorded = Files.readString(KubeProxyNode.REFERENCE.resolve("nft-ruleset.txt"));
        String objects = Files.readString(KubeProxyNode.REFERENCE.resolve("objects.yaml"));
        Map<String, KubeProxyNode.Target> targets = KubeProxyNode.targets(KubeProxyNode.REFERENCE.resolve("objects.yaml"));
        List<String> reference = comparable(recorded);

        // 1. The node as kube-proxy's nftables mode left it, backends answering on the real endpoints.
        k.createNode();
        k.onNode(recorded, "nft", "-f", "-");
        assertEquals(reference, comparable(ruleset()), "the node holds kube-proxy's ruleset");
        Map<String, String[]> addresses = k.backendsAndClient(targets.values());

        // 2. Takeover: svcproxy starts over kube-proxy's tables while the client connects.
        String cluster = objects.stripTrailing() + "\n---\n" + SERVICE_CIDR;
        ClusterFile file = new ClusterFile(k.dir()).write(cluster);
        Daemon daemon = k.daemon(List.of("--proxy-mode", "nftables"));
        BackgroundProcess monitor = k.track(BackgroundProcess.start("nft-monitor",
                Exec.in(k.node().name(), List.of("nft", "monitor")), k.dir()));
        KubeProxyNode.Traffic takeover = k.traffic("takeover", addresses);
        takeover.awaitEach(20);
        assertTrue(monitor.isAlive(), "nft monitor runs: " + monitor.stderr());
        String before = stripDynamicElements(k.onNode(null, "nft", "-a", "list", "ruleset"));
        long t0 = System.nanoTime();
        int connectionsBefore = takeover.total();
        daemon.start(file, KubeProxyNode.FLAGS);   // returns after its first "sync complete"
        long startToSync = (System.nanoTime() - t0) / 1_000_000;
        int during = takeover.total() - connectionsBefore;
        String after = stripDynamicElements(k.onNode(null, "nft", "-a", "list", "ruleset"));
        takeover.awaitEach(takeover.most() + 20);
        int failed = k.report("takeover", takeover.stop());
        String seenByMonitor = monitor.stdout();   // nft monitor prints each event as it comes (seen below)

        String syncLine = daemon.logLines("sync complete").get(0);
        String firstSync = syncLine.substring(syncLine.indexOf("sync complete"));
        k.figure("svcproxy start to first sync complete", startToSync + " ms (JVM start, read, plan, write)");
        k.figure("first sync", firstSync);
        k.figure("client connections while svcproxy started and did its first sync", during);
        k.figure("nft monitor lines during the takeover", seenByMonitor.lines().count());
        k.figure("kube-proxy's ruleset (nft -a list ruleset, affinity elements aside)",
                before.lines().count() + " lines, " + before.length() + " bytes");
        assertTrue(firstSync.contains(" writes=0 payload bytes=0 "), "the first sync sent nothing: " + firstSync);
        assertEquals("", seenByMonitor, "nft monitor saw a change during the takeover");
        assertEquals(before, after, "nft -a list ruleset, handles included, is what kube-proxy left");
        assertEquals(0, failed, "failed connections during the takeover");

        // 2b. A change after the takeover, with traffic: a Service added, then removed again.
        String added = KubeProxyNode.withAddedService(objects, targets.get("s16")).stripTrailing() + "\n---\n" + SERVICE_CIDR;
        KubeProxyNode.Traffic change = k.traffic("change", addresses);
        change.awaitEach(20);
        int syncsBefore = daemon.syncCount();
        daemon.update(() -> file.write(added));
        Histogram reached = k.client().tcpMany(KubeProxyNode.ADDED, 80, 5, 1);
        k.figure("the added service", reached);
        assertEquals(0, reached.failures(), "the added service answers: " + reached);
        daemon.update(() -> file.write(cluster));
        // The removal flushes the service's chains; a follow-up sync deletes them (bounded wait).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!reference.equals(comparable(ruleset())) && System.nanoTime() < deadline) {
            KubeProxyNode.sleep(200);
        }
        change.awaitEach(change.most() + 20);
        int changeFailed = k.report("service added and removed after the takeover", change.stop());
        daemon.logLines("sync complete").stream().skip(syncsBefore)
                .forEach(l -> k.figure("sync", l.substring(l.indexOf("sync complete"))));
        String monitorChange = monitor.stdout().substring(seenByMonitor.length());
        k.figure("nft monitor lines while the service was added and removed", monitorChange.lines().count());
        monitorSummary(monitorChange).forEach(l -> k.figure("nft monitor saw", l));
        monitorChange.lines().forEach(l -> k.figure("nft monitor", l.length() > 220 ? l.substring(0, 220) + "..." : l));
        // What changed was the added service's own chain and its elements in the shared maps; none of
        // kube-proxy's chains, rules or elements were rewritten (the deleted "__map" is the anonymous
        // numgen map of the added service's rule).
        List<String> foreign = monitorChange.lines().filter(l -> !l.startsWith("# new generation")
                && !l.contains("mix2/added/") && !l.contains(KubeProxyNode.ADDED + " ")
                && !l.contains(KubeProxyNode.ADDED + " }") && !l.matches("delete set ip kube-proxy __map\\d+")).toList();
        assertEquals(List.of(), foreign, "changes beyond the added service");
        assertEquals(reference, comparable(ruleset()), "removed again: kube-proxy's ruleset");
        assertEquals(0, changeFailed, "failed connections while a service was added and removed");

        // 3. Rollback: svcproxy stops (SIGTERM), kube-proxy's first sync is replayed in one nft -f.
        KubeProxyNftPayload payload = KubeProxyNftPayload.of(recorded);
        k.figure("kube-proxy's first-sync transaction (rebuilt)", payload.describe());
        KubeProxyNode.Traffic rollback = k.traffic("rollback", addresses);
        rollback.awaitEach(20);
        assertEquals(0, daemon.terminate(), "SIGTERM exits 0; log:\n" + daemon.log());
        k.figure("svcproxy stopped (SIGTERM), pid", daemon.process().pid());
        assertEquals(reference, comparable(ruleset()), "svcproxy's SIGTERM leaves the rules in place");
        rollback.awaitEach(rollback.most() + 10);
        long r0 = System.nanoTime();
        k.onNode(payload.text(), "nft", "-f", "-");
        k.figure("kube-proxy's first-sync transaction replayed (nft -f, both tables)",
                (System.nanoTime() - r0) / 1_000_000 + " ms");
        rollback.awaitEach(rollback.most() + 20);
        int rollbackFailed = k.report("rollback", rollback.stop());
        String replayed = ruleset();
        // kube-proxy's add+delete of its base chains re-creates them, so they now list after the
        // chains that stayed (on the fresh node it was recorded on they were created first): chain
        // order in a listing is creation order and means nothing to a packet.
        List<String> expectedOrder = new ArrayList<>();
        for (String family : List.of("ip", "ip6")) {
            chainOrder(recorded).stream().filter(c -> c.startsWith(family + " ") && !payload.baseChainNames().contains(c))
                    .forEach(expectedOrder::add);
            payload.baseChainNames().stream().filter(c -> c.startsWith(family + " ")).forEach(expectedOrder::add);
        }
        k.figure("chain listing order after the replay", chainOrder(replayed).equals(chainOrder(recorded))
                ? "as recorded" : "the " + payload.baseChainNames().size() + " base chains (re-created) after the others");
        assertEquals(expectedOrder, chainOrder(replayed), "only the re-created base chains moved in the listing");
        assertEquals(blocksSorted(reference), blocksSorted(comparable(replayed)),
                "the node reads back as kube-proxy left it (handles, element and chain order aside)");
        assertEquals(0, rollbackFailed, "failed connections during the rollback");
    }

    private String ruleset() {
        return k.onNode(null, "nft", "list", "ruleset");
    }

    /** Handles and element order aside (NftRulesetNormalizer), affinity sets' dynamic elements left out. */
    static List<String> comparable(String listing) {
        return NftRulesetNormalizer.normalize(stripDynamicElements(listing));
    }

    private static final Pattern BLOCK = Pattern.compile("^\t(set|map|chain) (\\S+) \\{( # handle \\d+)?$");

    /**
     * The listing without the elements of sets flagged dynamic (ClientIP affinity: the packet path
     * adds the clients it saw, with a timeout and expiry): state the traffic writes, not rules.
     */
    static String stripDynamicElements(String listing) {
        List<String> lines = listing.lines().toList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = BLOCK.matcher(line);
            if (!m.matches() || !m.group(1).equals("set")) {
                out.add(line);
                continue;
            }
            List<String> block = new ArrayList<>();
            block.add(line);
            boolean dynamic = false;
            while (++i < lines.size() && !lines.get(i).equals("\t}")) {
                block.add(lines.get(i));
                dynamic |= lines.get(i).trim().startsWith("flags ") && lines.get(i).contains("dynamic");
            }
            block.add("\t}");
            boolean inElements = false;
            for (String b : block) {
                if (dynamic && b.startsWith("\t\telements = { ")) {
                    inElements = !b.endsWith(" }");
                    continue;
                }
                if (inElements) {
                    inElements = !b.endsWith(" }");
                    continue;
                }
                out.add(b);
            }
        }
        return String.join("\n", out) + "\n";
    }

    /** Within each table, the top-level blocks (set, map, chain) sorted: listing order aside. */
    static List<String> blocksSorted(List<String> normalized) {
        List<String> out = new ArrayList<>();
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String l : normalized) {
            if (BLOCK.matcher(l).matches()) {
                current = new ArrayList<>();
                blocks.add(current);
                current.add(l);
            } else if (current != null) {
                current.add(l);
                if (l.equals("\t}")) {
                    current = null;
                }
            } else {
                if (l.equals("}")) {
                    blocks.sort((a, b) -> a.get(0).compareTo(b.get(0)));
                    blocks.forEach(out::addAll);
                    blocks.clear();
                }
                out.add(l);
            }
        }
        return out;
    }

    private static List<String> chainOrder(String listing) {
        List<String> out = new ArrayList<>();
        String table = "";
        for (String l : listing.lines().toList()) {
            if (l.startsWith("table ")) {
                table = l.split(" ")[1];
            }
            Matcher m = BLOCK.matcher(l);
            if (m.matches() && m.group(1).equals("chain")) {
                out.add(table + " " + m.group(2));
            }
        }
        return out;
    }

    /** nft monitor's lines by their first two words ("add rule", "delete chain") with counts. */
    static List<String> monitorSummary(String monitor) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        monitor.lines().filter(l -> !l.isBlank()).forEach(l -> {
            String[] w = l.trim().split("\\s+");
            counts.merge(w.length > 1 ? w[0] + " " + w[1] : w[0], 1L, Long::sum);
        });
        List<String> out = new ArrayList<>();
        counts.forEach((what, n) -> out.add(what + " x" + n));
        return out;
    }
}
