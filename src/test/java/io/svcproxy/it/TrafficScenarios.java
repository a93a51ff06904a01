package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.topology.ClusterFile;
import io.svcproxy.testing.topology.ClusterFile.Ep;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.Pod;
import io.svcproxy.testing.topology.Probe;
import io.svcproxy.testing.topology.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Real packets through svcproxy's rules: a client pod, an external host and backend pods around a
 * node namespace ({@link Topology}), the node programmed by a {@link NodeProgrammer} (the planned
 * payload now; the daemon once {@code svcproxy run} exists). Each scenario prints its figures.
 */
abstract class TrafficScenarios {
    static final String WEB = "10.96.1.10";
    static final String SCTP = "10.96.1.30";
    static final String FRONT = "10.96.1.20";
    static final String FRONT_EXTERNAL_IP = "198.51.100.120";
    static final String LB = "10.96.1.40";
    static final String LB_IP = "203.0.113.10";
    static final String LOCAL = "10.96.1.60";
    static final String LOCAL_LB_IP = "203.0.113.60";
    static final String STICKY = "10.96.1.70";
    static final String EMPTY = "10.96.1.80";
    static final List<String> FLAGS = List.of("--hostname-override=" + Topology.NODE_NAME,
            "--cluster-cidr=" + Topology.CLUSTER_CIDR);
    static final List<String> HTTP = List.of("http:8080/TCP");

    protected Topology topology;
    protected NodeProgrammer node;
    protected ClusterFile cluster;
    private String testName;

    /** The way this class programs the node. */
    abstract NodeProgrammer programmer(Topology topology);

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().map(m -> m.getName()).orElse("?");
        topology = Topology.builder()
                .backend("a", "10.244.1.11").backend("b", "10.244.1.12").backend("c", "10.244.1.13")
                .backend("r", "10.244.2.11")   // "on node-b": routed through this node, but not local
                .build();
        cluster = new ClusterFile(topology.dir()).write(cluster(List.of("a", "b", "c")));
        node = programmer(topology);
        node.start(cluster, FLAGS);
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

    void figure(String what, Object value) {
        System.out.println("[" + testName + "] " + what + ": " + value);
    }

    List<Ep> local(List<String> names) {
        return names.stream().map(n -> Ep.local(topology.backend(n).ip())).toList();
    }

    /** The scenario cluster; the endpoints of traffic/web are the named backends. */
    String cluster(List<String> webBackends) {
        List<Ep> abc = local(List.of("a", "b", "c"));
        return ClusterFile.documents(ClusterFile.node(),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: traffic}
                spec:
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                  - {name: dns, port: 53, protocol: UDP}
                """.formatted(WEB),
                ClusterFile.slice("traffic", "web", List.of("http:8080/TCP", "dns:8081/UDP"), local(webBackends)),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: sctp, namespace: traffic}
                spec:
                  type: NodePort
                  clusterIP: %s
                  ports:
                  - {name: diameter, port: 3868, protocol: SCTP, nodePort: 31868}
                """.formatted(SCTP),
                ClusterFile.slice("traffic", "sctp", List.of("diameter:3868/SCTP"), abc),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: front, namespace: traffic}
                spec:
                  type: NodePort
                  clusterIP: %s
                  externalIPs: [%s]
                  ports:
                  - {name: http, port: 80, protocol: TCP, nodePort: 30080}
                """.formatted(FRONT, FRONT_EXTERNAL_IP),
                ClusterFile.slice("traffic", "front", HTTP, abc),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: lb, namespace: traffic}
                spec:
                  type: LoadBalancer
                  clusterIP: %s
                  loadBalancerSourceRanges: [%s/32]
                  ports:
                  - {name: http, port: 80, protocol: TCP, nodePort: 30081}
                status:
                  loadBalancer:
                    ingress: [{ip: %s}]
                """.formatted(LB, Topology.EXTERNAL_IP, LB_IP),
                ClusterFile.slice("traffic", "lb", HTTP, abc),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: local, namespace: traffic}
                spec:
                  type: LoadBalancer
                  clusterIP: %s
                  externalTrafficPolicy: Local
                  healthCheckNodePort: 32082
                  ports:
                  - {name: http, port: 80, protocol: TCP, nodePort: 30082}
                status:
                  loadBalancer:
                    ingress: [{ip: %s}]
                """.formatted(LOCAL, LOCAL_LB_IP),
                ClusterFile.slice("traffic", "local", HTTP,
                        List.of(Ep.local(topology.backend("a").ip()), Ep.on("node-b", topology.backend("r").ip()))),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: sticky, namespace: traffic}
                spec:
                  clusterIP: %s
                  sessionAffinity: ClientIP
                  sessionAffinityConfig: {clientIP: {timeoutSeconds: 2}}
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                """.formatted(STICKY),
                ClusterFile.slice("traffic", "sticky", HTTP, abc),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: empty, namespace: traffic}
                spec:
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                """.formatted(EMPTY),
                ClusterFile.slice("traffic", "empty", HTTP, List.of()));
    }

    static void assertEvenSpread(Histogram h, List<String> backends) {
        assertEquals(0, h.failures(), h.toString());
        for (String b : backends) {
            double share = h.share(b);
            assertTrue(share >= 0.20 && share <= 0.47, b + " got " + share + ": " + h);
        }
    }

    @Test
    void clusterIpTcpAndUdpSpreadOverThreeBackends() {
        Histogram tcp = topology.client().tcpMany(WEB, 80, 300, 1);
        figure("ClusterIP TCP " + WEB + ":80", tcp);
        assertEvenSpread(tcp, List.of("a", "b", "c"));
        assertTrue(tcp.probes().stream().allMatch(p -> p.peer().equals(Topology.CLIENT_IP)),
                "pod-to-service traffic is not masqueraded: " + tcp.probes().get(0));

        Histogram udp = topology.client().udpMany(WEB, 53, 300, 1);
        figure("ClusterIP UDP " + WEB + ":53", udp);
        assertEvenSpread(udp, List.of("a", "b", "c"));
    }

    @Test
    void sctpInitsToClusterIpAndNodePortAreDnatedToBackends() {
        topology.client().sctpInit(SCTP, 3868);
        topology.external().sctpInit(Topology.NODE_IP, 31868);
        String ct = topology.nodeShell().conntrack("-p", "sctp");
        figure("conntrack -L -p sctp", "\n" + ct.strip());
        Set<String> backendIps = Set.of(topology.backend("a").ip(), topology.backend("b").ip(), topology.backend("c").ip());
        assertTrue(dnatedTo(ct, "dst=" + SCTP + " ", "dport=3868", backendIps), "ClusterIP INIT DNATed:\n" + ct);
        assertTrue(dnatedTo(ct, "dst=" + Topology.NODE_IP + " ", "dport=31868", backendIps), "NodePort INIT DNATed:\n" + ct);
    }

    /** A conntrack line whose original tuple has dst and dport, and whose reply comes from one of the backends. */
    static boolean dnatedTo(String conntrack, String dst, String dport, Set<String> backends) {
        return conntrack.lines().anyMatch(l -> {
            int reply = l.indexOf("src=", l.indexOf("src=") + 1);
            if (reply < 0 || !l.substring(0, reply).contains(dst) || !l.substring(0, reply).contains(dport + " ")) {
                return false;
            }
            String replySrc = l.substring(reply + 4).split(" ")[0];
            return backends.contains(replySrc);
        });
    }

    @Test
    void nodePortAndExternalIpFromOutside() {
        Histogram nodePort = topology.external().tcpMany(Topology.NODE_IP, 30080, 30, 1);
        figure("NodePort " + Topology.NODE_IP + ":30080 from external", nodePort);
        assertEquals(0, nodePort.failures(), nodePort.toString());
        assertTrue(nodePort.count("a") + nodePort.count("b") + nodePort.count("c") == 30, nodePort.toString());
        Set<String> peers = peers(nodePort);
        figure("NodePort: source address seen by the backends", peers);
        assertEquals(Set.of(Topology.POD_GATEWAY), peers, "externalTrafficPolicy Cluster masquerades to the node");

        Histogram externalIp = topology.external().tcpMany(FRONT_EXTERNAL_IP, 80, 30, 1);
        figure("externalIP " + FRONT_EXTERNAL_IP + ":80 from external", externalIp);
        assertEquals(0, externalIp.failures(), externalIp.toString());
    }

    @Test
    void loadBalancerSourceRangesAdmitOnlyTheRange() {
        Histogram allowed = topology.external().tcpManyFrom(Topology.EXTERNAL_IP, LB_IP, 80, 20, 1);
        figure("LB " + LB_IP + " from " + Topology.EXTERNAL_IP + " (in range)", allowed);
        assertEquals(0, allowed.failures(), allowed.toString());

        Histogram denied = topology.external().tcpManyFrom(Topology.EXTERNAL_IP_2, LB_IP, 80, 3, 1);
        figure("LB " + LB_IP + " from " + Topology.EXTERNAL_IP_2 + " (out of range)", denied);
        assertEquals(3, denied.count(Probe.Outcome.TIMEOUT.name()), "dropped, not answered: " + denied);

        Histogram cluster = topology.client().tcpMany(LB, 80, 10, 1);
        figure("its ClusterIP from a pod (source ranges do not apply)", cluster);
        assertEquals(0, cluster.failures(), cluster.toString());
    }

    @Test
    void externalTrafficPolicyLocalUsesLocalEndpointsAndKeepsTheClientAddress() {
        for (String[] target : List.of(new String[] {LOCAL_LB_IP, "80"}, new String[] {Topology.NODE_IP, "30082"})) {
            Histogram h = topology.external().tcpMany(target[0], Integer.parseInt(target[1]), 30, 1);
            figure("ETP Local " + target[0] + ":" + target[1] + " from external", h);
            assertEquals(30, h.count("a"), "only the local endpoint: " + h);
            assertEquals(Set.of(Topology.EXTERNAL_IP), peers(h), "client address preserved");
        }
        Histogram fromPod = topology.client().tcpMany(LOCAL, 80, 40, 1);
        figure("ETP Local service's ClusterIP from a pod (all endpoints)", fromPod);
        assertEquals(0, fromPod.failures(), fromPod.toString());
        assertTrue(fromPod.count("a") > 0 && fromPod.count("r") > 0, fromPod.toString());
    }

    @Test
    void clientIpAffinityStaysThenMayMoveAfterTheTimeout() {
        Histogram sticky = topology.client().tcpMany(STICKY, 80, 30, 1);
        figure("ClientIP affinity, 30 connections within the 2 s timeout", sticky);
        assertEquals(0, sticky.failures(), sticky.toString());
        assertEquals(1, sticky.counts().size(), "one backend for one client: " + sticky);
        String first = sticky.probes().get(0).backend();

        List<String> after = new ArrayList<>();
        for (int round = 0; round < 10 && (after.isEmpty() || after.get(after.size() - 1).equals(first)); round++) {
            sleepMillis(2600);   // > timeoutSeconds: the affinity entry has expired
            Probe p = topology.client().tcp(STICKY, 80, 1);
            assertTrue(p.ok(), p.toString());
            after.add(p.backend());
        }
        figure("after each idle 2.6 s (first was " + first + ")", after);
        assertNotEquals(first, after.get(after.size() - 1), "moved within 10 expiries");
    }

    @Test
    void noEndpointsIsRefusedAtOnce() {
        long before = rejectedPackets(EMPTY);
        Probe p = topology.client().tcp(EMPTY, 80, 3);
        figure("TCP to " + EMPTY + ":80 (no endpoints)", p.outcome() + " in " + p.millis() + " ms (" + p.raw() + ")");
        // "At once" is what must happen, not how fast: the connect is refused (ECONNREFUSED from the
        // REJECT's ICMP port-unreachable) instead of left to time out as a DROP or a missing rule would,
        // and it is the service's REJECT rule that answered it (its packet counter moved).
        assertEquals(Probe.Outcome.REFUSED, p.outcome(), p.toString());
        assertTrue(rejectedPackets(EMPTY) > before, "the REJECT rule for " + EMPTY + " counted the probe");
    }

    /** The packet counters of the node's filter REJECT rules for {@code vip}; fails when there is none. */
    long rejectedPackets(String vip) {
        String save = Exec.checked(Exec.in(topology.node().name(), List.of("iptables-nft-save", "-c", "-t", "filter")),
                null, Duration.ofSeconds(15));
        List<String> rules = save.lines().filter(l -> l.contains(" -d " + vip + "/32 ") && l.contains("-j REJECT")).toList();
        assertFalse(rules.isEmpty(), "a REJECT rule for " + vip + " in the filter table:\n" + save);
        return rules.stream().mapToLong(l -> Long.parseLong(l.substring(1, l.indexOf(':')))).sum();
    }

    @Test
    void removedEndpointGetsNoNewConnectionsAndUdpFlowsMoveAfterConntrackCleanup() {
        Pod client = topology.client();
        int sport = 40000 + (int) (ProcessHandle.current().pid() % 20000);
        Histogram flow = client.udpFlow(WEB, 53, sport, 3, 1);
        figure("UDP flow from port " + sport + " before", flow);
        assertEquals(1, flow.counts().size(), "one flow, one backend: " + flow);
        String victim = flow.probes().get(0).backend();
        assertFalse(flow.probes().get(0).backend() == null, flow.toString());
        List<String> remaining = new ArrayList<>(List.of("a", "b", "c"));
        remaining.remove(victim);

        node.update(() -> cluster.write(cluster(remaining)));
        figure("removed endpoint", victim + " (" + topology.backend(victim).ip() + ")");

        Histogram tcp = client.tcpMany(WEB, 80, 60, 1);
        figure("new TCP connections after removal", tcp);
        assertEquals(0, tcp.failures(), tcp.toString());
        assertEquals(0, tcp.count(victim), tcp.toString());
        Histogram udpNew = client.udpMany(WEB, 53, 30, 1);
        figure("new UDP flows after removal", udpNew);
        assertEquals(0, udpNew.failures(), udpNew.toString());
        assertEquals(0, udpNew.count(victim), udpNew.toString());

        if (!node.cleansConntrack()) {
            Histogram stuck = client.udpFlow(WEB, 53, sport, 3, 1);
            figure("same UDP flow, rules updated but conntrack not cleaned", stuck);
            assertEquals(3, stuck.count(victim), "the old conntrack entry keeps the flow on the removed endpoint");
            // What the proxy must do (kube-proxy's filter): delete UDP entries to the service IP DNATed to the endpoint.
            String deleted = topology.nodeShell().sh(java.time.Duration.ofSeconds(10), "conntrack", "-D", "-p", "udp",
                    "--orig-dst", WEB, "--reply-src", topology.backend(victim).ip());
            figure("conntrack -D -p udp --orig-dst " + WEB + " --reply-src " + topology.backend(victim).ip(), deleted.strip());
        }
        Histogram moved = client.udpFlow(WEB, 53, sport, 3, 1);
        figure("same UDP flow after conntrack cleanup", moved);
        assertEquals(0, moved.failures(), moved.toString());
        assertEquals(0, moved.count(victim), moved.toString());
    }

    static Set<String> peers(Histogram h) {
        return h.probes().stream().filter(Probe::ok).map(Probe::peer).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
