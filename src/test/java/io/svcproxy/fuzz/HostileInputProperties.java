package io.svcproxy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Warning;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.source.SnapshotBuilder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hostile input, fuzzed: Services and EndpointSlices with random and adversarial values (newlines,
 * quotes, "-j", "COMMIT", shell metacharacters in names, ports, labels and annotations; invalid
 * IPs, CIDRs and ports; duplicates). Planning never throws; every rejected object is reported by
 * name; and no user-controlled text can add a line to the payload: every payload line is one we
 * declared, a rule of a chain we planned, or COMMIT.
 */
public class HostileInputProperties {
    private static final List<String> NASTY = List.of("a\n-A INPUT -j ACCEPT", "x\" -j ACCEPT #", "COMMIT",
            "$(reboot)", "`id`", "a;b|c&d", "-j DROP", "ns/with/slash", "UPPER", "", " ", "a".repeat(300),
            "\u0000nul", "tab\tbed", "quote'single", "back\\slash", "web", "kube-system", "ok-name", "dns");
    private static final List<String> IPS = List.of("10.96.0.1", "10.96.0.300", "fe80::1%eth0", "010.1.1.1",
            "fd00:10:96::1", "::ffff:10.1.1.1", "example.com", "", "10.244.1.5", "10.244.1.5 -j ACCEPT",
            "0.0.0.0", "255.255.255.255", "2001:db8::1");
    private static final List<String> CIDRS = List.of("10.0.0.0/8", "10.0.0.0/33", "0.0.0.0/0", "fd00::/64",
            "x/8", "203.0.113.0/25", "10.1.2.3/8", "", "1.2.3.4/32\n-A INPUT");

    /** Mostly valid names (so objects get planned), sometimes hostile ones. */
    @Provide
    Arbitrary<String> text() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of("web", "dns", "api", "ok-name", "kube-system", "default")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(NASTY)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars("ab-/:\"'\\\n;$` -jCOMMIT0123456789")
                        .ofMaxLength(40)));
    }

    private static <T> Arbitrary<T> mostly(List<T> good, List<T> bad) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, Arbitraries.of(good)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(bad)));
    }

    @Provide
    Arbitrary<Service> service() {
        Arbitrary<Integer> port = mostly(List.of(80, 443, 53, 8080), List.of(0, -5, 65536, 70000));
        Arbitrary<String> protocol = mostly(List.of("TCP", "UDP", "SCTP", ""), List.of("ICMP", "tcp", "TCP\n"));
        Arbitrary<io.fabric8.kubernetes.api.model.ServicePort> sp = Combinators.combine(text(), port, protocol,
                mostly(List.of(0, 30080, 31000, 32767), List.of(-1, 70000, 80))).as((name, p, proto, nodePort) -> new ServicePortBuilder()
                .withName(name).withPort(p).withProtocol(proto).withNodePort(nodePort).build());
        Arbitrary<String> clusterIP = mostly(List.of("10.96.0.1", "10.96.0.2", "fd00:10:96::1"), IPS);
        return Combinators.combine(text(), text(), clusterIP, sp.list().ofMaxSize(4),
                Arbitraries.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "Magic"),
                Arbitraries.of(IPS).list().ofMaxSize(3), Arbitraries.of(CIDRS).list().ofMaxSize(3),
                text()).as((name, ns, ip, ports, type, external, ranges, label) -> new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withLabels(Map.of("app", label))
                .withAnnotations(Map.of("note", label)).endMetadata()
                .withNewSpec().withType(type).withClusterIP(ip).withPorts(ports).withExternalIPs(external)
                .withLoadBalancerSourceRanges(ranges).withExternalTrafficPolicy("Local")
                .withSessionAffinity("ClientIP").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp(external.isEmpty() ? "203.0.113.7"
                        : external.get(0)).endIngress().endLoadBalancer().endStatus()
                .build());
    }

    @Provide
    Arbitrary<EndpointSlice> slice() {
        return Combinators.combine(text(), text(), text(), Arbitraries.of(IPS).list().ofMaxSize(4),
                Arbitraries.integers().between(-1, 70000), text(), Arbitraries.of("IPv4", "IPv6", "FQDN", "IPv5"))
                .as((name, ns, svc, ips, port, node, type) -> {
                    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(name)
                            .withNamespace(ns).withLabels(Map.of("kubernetes.io/service-name", svc)).endMetadata()
                            .withAddressType(type)
                            .withPorts(new EndpointPortBuilder().withName(svc).withPort(port).withProtocol("TCP").build());
                    for (String ip : ips) {
                        b.addToEndpoints(new EndpointBuilder().withAddresses(ip).withNodeName(node).build());
                    }
                    return b.build();
                });
    }

    @Property(tries = 300)
    void planningNeverThrowsAndUserTextNeverAddsALine(@ForAll("services") List<Service> services,
                                                       @ForAll("slices") List<EndpointSlice> slices) {
        ClusterSnapshot snapshot = SnapshotBuilder.build(services, slices, Optional.empty(), "node-a");
        for (Warning w : snapshot.warnings()) {
            assertTrue(!w.object().isEmpty() && !w.toString().contains("\n"), "warnings name the object, one line: " + w);
        }
        for (IpFamily family : IpFamily.values()) {
            IptablesPlan plan = IptablesPlanner.plan(snapshot, PlannerOptions.defaults(family, "node-a"));
            assertPayloadIsExactlyThePlan(plan);
        }
    }

    @Provide
    public Arbitrary<List<Service>> services() {
        return service().list().ofMaxSize(6);
    }

    @Provide
    public Arbitrary<List<EndpointSlice>> slices() {
        return slice().list().ofMaxSize(6);
    }

    /** Every line of the restore payload is a table header, a chain we planned, a rule we planned, or COMMIT. */
    static void assertPayloadIsExactlyThePlan(IptablesPlan plan) {
        Set<String> expected = new HashSet<>();
        int lines = 0;
        for (Table t : plan.desired().tables().values()) {
            expected.add("*" + t.name());
            expected.add("COMMIT");
            lines += 2;
            for (Chain c : t.chains().values()) {
                expected.add(":" + c.name() + " " + c.policy() + " [0:0]");
                lines++;
                for (String r : c.rules()) {
                    expected.add("-A " + c.name() + " " + r);
                    lines++;
                }
            }
        }
        List<String> payload = new ArrayList<>(CompletePayload.toText(plan).lines().toList());
        assertEquals(lines, payload.size(), "no extra line: every rule is one line");
        for (String line : payload) {
            assertTrue(expected.contains(line), "unexpected payload line: " + line);
        }
    }
}
