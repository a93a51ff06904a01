package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.Pod;
import io.svcproxy.testing.topology.Probe;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `svcproxy explain --live` against the kernel: random clusters are programmed into a node
 * namespace, each packet is explained in that namespace, then sent for real. A delivered packet
 * lands only on endpoints explain named (the backends answer with their names, and conntrack shows
 * the DNAT to one of them), with connection counts that fit the stated probabilities (chi-square,
 * p = 0.0001, for the random picks of iptables and nftables; IPVS's rr is checked exactly, see
 * {@link IpvsExplainScenarios}); a rejected one is refused, a dropped one times out, one that is no
 * service's reaches no backend; masquerade is what the backend sees as the peer; live and planned agree
 * on every path. The seeds are printed; SVCPROXY_EXPLAIN_SEED reruns one. The modes differ only in the
 * hooks below (how the node is programmed and explain is run, the probes, the share check).
 */
abstract class ExplainTrafficScenarios {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final int CONNECTIONS = 150;
    private static final int MAX_LOST = 2;
    /**
     * chi-square critical values at p = 0.0001 for 1..4 degrees of freedom: some 20 fits a run, so a
     * correct proxy fails one about once in 500 runs.
     */
    private static final double[] CHI2_9999 = {15.14, 18.42, 21.11, 23.51};
    private static final List<String> BACKENDS = List.of("a", "b", "c", "r");

    private final long started = System.nanoTime();
    private Topology topology;
    private NodeProgrammer node;

    abstract NodeProgrammer programmer(Topology topology);

    /** Extra explain flags for the mode (--proxy-mode, the iptables backend). */
    abstract List<String> modeFlags();

    /**
     * Whether ClientIP affinity is live state explain --live sees and a plan cannot have (the iptables
     * recent lists, nftables' affinity sets, which the probes fill), so live and planned may differ.
     */
    boolean affinityIsLiveState() {
        return true;
    }

    /** Runs svcproxy with args in the node namespace: the packaged jar. */
    NetNs.Result runExplain(String nodeNs, List<String> args) {
        return Exec.run(SvcproxyJar.command(nodeNs, args), "", BOUND);
    }

    /** New connections per delivered packet, whose landing counts are checked against the stated shares. */
    int connections() {
        return CONNECTIONS;
    }

    /** n UDP probes for p from the pod: each from a fresh ephemeral port. */
    Histogram udpProbes(Pod from, RandomServices.Packet p, int n, double timeout) {
        return from.udpMany(p.destination(), p.port(), n, timeout);
    }

    /**
     * The landing counts of {@code sent} new connections ({@code answered} of them answered) against the
     * probabilities explain stated: a chi-square fit, for rules that pick at random (statistic, numgen).
     */
    void assertShares(ExplainedVerdict e, Histogram h, Map<String, String> nameOf, int answered, int sent) {
        double chi2 = 0;
        for (Map.Entry<String, Double> ep : e.endpoints().entrySet()) {
            double expected = ep.getValue() * answered;
            int seen = h.count(nameOf.get(ep.getKey()));
            chi2 += (seen - expected) * (seen - expected) / expected;
        }
        int df = e.endpoints().size() - 1;
        if (df > 0) {
            figure("  chi-square (df " + df + ")", String.format("%.2f", chi2));
            assertTrue(chi2 < CHI2_9999[df - 1], "counts " + h.counts() + " do not fit " + e.endpoints()
                    + " (chi-square " + chi2 + ")");
        }
    }

    @AfterEach
    void tearDown() {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            if (topology != null) {
                topology.close();
            }
        }
    }

    @Test
    void realPacketsGoWhereExplainSays() {
        String fixed = System.getenv("SVCPROXY_EXPLAIN_SEED");
        List<Long> seeds = fixed != null ? List.of(Long.parseLong(fixed)) : List.of(System.nanoTime(), System.nanoTime() + 1);
        topology = Topology.builder()
                .backend("a", "10.244.1.11").backend("b", "10.244.1.12").backend("c", "10.244.1.13")
                .backend("r", "10.244.2.11")
                .build();
        ClusterFile cluster = new ClusterFile(topology.dir());
        Map<String, Integer> verdicts = new LinkedHashMap<>();
        boolean started = false;
        for (long seed : seeds) {
            RandomServices services = new RandomServices(seed, topology, BACKENDS);
            figure("seed", seed);
            if (!started) {
                cluster.write(services.yaml());
                node = programmer(topology);
                node.start(cluster, TrafficScenarios.FLAGS);
                started = true;
            } else {
                node.update(() -> cluster.write(services.yaml()));
                flushConntrack();
            }
            for (RandomServices.Packet p : services.packets()) {
                ExplainedVerdict e = explain(cluster, p);
                figure(p.service() + " " + p.from() + " " + p.source() + " -> " + p.destination() + ":" + p.port()
                                + (p.udp() ? "/udp" : "/tcp") + (p.affinity() ? " (ClientIP affinity)" : ""),
                        e.verdict() + " " + e.endpoints() + (e.masquerade() ? " masqueraded" : ""));
                // affinity entries the probes left in the kernel are live state a plan cannot have
                assertTrue(e.agrees() || p.affinity() && affinityIsLiveState(), "live and planned differ:\n" + e.text());
                verdicts.merge(e.verdict(), 1, Integer::sum);
                check(p, e);
            }
        }
        figure("verdicts checked", verdicts);
    }

    private ExplainedVerdict explain(ClusterFile cluster, RandomServices.Packet p) {
        List<String> args = new ArrayList<>(List.of("explain", "--live", "--cluster", cluster.path().toString(),
                "--from", p.source(), "--to", p.destination() + ":" + p.port() + (p.udp() ? "/udp" : "/tcp")));
        args.addAll(TrafficScenarios.FLAGS);
        args.addAll(modeFlags());
        NetNs.Result r = runExplain(topology.node().name(), args);
        assertNotEquals(1, r.exitCode(), "explain failed: " + r.stderr());
        ExplainedVerdict e = ExplainedVerdict.parse(r.stdout());
        int expected = switch (e.verdict()) {
            case "DELIVERED" -> 0;
            case "REJECTED" -> 3;
            case "DROPPED" -> 4;
            default -> 5;
        };
        assertEquals(expected, r.exitCode(), "exit code of " + e.verdict());
        return e;
    }

    private void check(RandomServices.Packet p, ExplainedVerdict e) {
        Pod from = switch (p.from()) {
            case POD -> topology.client();
            case EXTERNAL -> topology.external();
            case NODE -> topology.nodeShell();
        };
        switch (e.verdict()) {
            case "DELIVERED" -> delivered(p, e, from);
            case "REJECTED" -> {
                long limited = icmpRateLimitedByHost();
                Probe probe = probe(from, p, 1, 3).probes().get(0);
                if (probe.outcome() == Probe.Outcome.TIMEOUT) {
                    // The REJECT fired, but the kernel's per-host ICMP rate limit swallowed the port-unreachable
                    // (seen for forwarded packets to a load-balancer IP): the node counts it as rate-limited.
                    long now = icmpRateLimitedByHost();
                    figure("  REJECT's ICMP rate-limited by the kernel (IcmpOutRateLimitHost " + limited + " -> " + now + ")",
                            probe.outcome());
                    assertTrue(now > limited, "explain said REJECTED, the connect timed out and no ICMP error was"
                            + " rate-limited: " + probe);
                } else if (p.from() == RandomServices.From.NODE && probe.raw().contains("Operation not permitted")) {
                    // the node's own packet, rejected in OUTPUT: the kernel fails the send itself (EPERM)
                    figure("  rejected in OUTPUT: the send failed", probe.raw());
                } else {
                    assertEquals(Probe.Outcome.REFUSED, probe.outcome(), "explain said REJECTED: " + probe);
                }
            }
            case "DROPPED" -> {
                Histogram h = probe(from, p, 2, 1);
                assertEquals(2, h.count(Probe.Outcome.TIMEOUT.name()), "explain said DROPPED: " + h);
            }
            case "NOT_A_SERVICE" -> {
                // untouched: routed towards the node's upstream, which does not forward; no backend answers
                Probe probe = probe(from, p, 1, 1).probes().get(0);
                assertFalse(probe.ok(), "explain said NOT_A_SERVICE, yet a backend answered: " + probe);
            }
            default -> throw new AssertionError("unknown verdict: " + e.text());
        }
    }

    private void delivered(RandomServices.Packet p, ExplainedVerdict e, Pod from) {
        Map<String, String> nameOf = new LinkedHashMap<>();
        for (String b : BACKENDS) {
            nameOf.put(topology.backend(b).ip() + ":" + (p.udp() ? Topology.UDP_PORT : Topology.TCP_PORT), b);
        }
        int sent = connections();
        Histogram h = probe(from, p, sent, 2);
        figure("  sent " + sent, h);
        // a lost probe or two on a loaded 2-core machine is the probe's, not the rules' (a DROP or REJECT loses all)
        assertTrue(h.failures() <= MAX_LOST, "explain said DELIVERED: " + h);
        int answered = h.total() - h.failures();
        Set<String> named = new HashSet<>();
        e.endpoints().keySet().forEach(ep -> named.add(nameOf.get(ep)));
        for (String landed : h.counts().keySet()) {
            if (java.util.Arrays.stream(Probe.Outcome.values()).anyMatch(o -> o.name().equals(landed))) {
                continue;
            }
            assertTrue(named.contains(landed), "landed on " + landed + ", explain named " + e.endpoints());
        }
        if (p.affinity()) {
            // ClientIP affinity: the first connection lands by the probabilities, the rest follow it
            assertTrue(e.affinity(), "explain states the affinity:\n" + e.text());
            assertEquals(1, h.counts().keySet().stream().filter(named::contains).count(), "sticky: " + h);
        } else {
            assertShares(e, h, nameOf, answered, sent);
        }
        String ct = topology.nodeShell().conntrack("-p", p.udp() ? "udp" : "tcp");
        Set<String> ips = new HashSet<>();
        e.endpoints().keySet().forEach(ep -> ips.add(ep.substring(0, ep.indexOf(':'))));
        assertTrue(TrafficScenarios.dnatedTo(ct, "dst=" + p.destination() + " ", "dport=" + p.port(), ips),
                "conntrack shows the DNAT to " + ips + ":\n" + ct);
        Set<String> peers = TrafficScenarios.peers(h);
        if (e.masquerade()) {
            assertFalse(peers.contains(p.source()), "explain said masqueraded, backends saw " + peers);
        } else {
            assertEquals(Set.of(p.source()), peers, "explain said not masqueraded");
        }
    }

    private Histogram probe(Pod from, RandomServices.Packet p, int n, double timeout) {
        if (p.udp()) {
            return udpProbes(from, p, n, timeout);
        }
        return p.from() == RandomServices.From.EXTERNAL ? from.tcpManyFrom(p.source(), p.destination(), p.port(), n,
                timeout) : from.tcpMany(p.destination(), p.port(), n, timeout);
    }

    /** ICMP errors the node's kernel did not send because of the per-destination rate limit. */
    private long icmpRateLimitedByHost() {
        String out = Exec.checked(Exec.in(topology.node().name(), List.of("nstat", "-asz", "IcmpOutRateLimitHost")),
                null, BOUND);
        return out.lines().filter(l -> l.startsWith("IcmpOutRateLimitHost")).mapToLong(l -> Long.parseLong(
                l.trim().split("\\s+")[1])).sum();
    }

    /** Entries of the previous cluster would keep a reused 5-tuple on an old endpoint. */
    private void flushConntrack() {
        topology.node().run("conntrack", "-F");
    }

    void figure(String what, Object value) {
        System.out.printf("[%s %.1fs] %s: %s%n", getClass().getSimpleName(), (System.nanoTime() - started) / 1e9, what,
                value);
    }
}
