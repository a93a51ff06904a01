package io.svcproxy.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.PlanDelta;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The daemon's incremental path against the pure one, over random sequences of changes (services
 * added, removed and changed; endpoints added, removed, made not ready, moved to this node; the
 * planner options changed; kube-proxy's large-cluster threshold crossed both ways):
 * <ul>
 *   <li>the incremental plan equals {@link IptablesPlanner#plan} of the same snapshot, after every step;</li>
 *   <li>the diff restricted to the chains the two plans do not share ({@link PlanDelta}) writes the same
 *       lines as the full diff, and both leave the same state;</li>
 *   <li>the state {@link RulesetDiff#apply} builds equals what the in-memory iptables-restore makes of
 *       the payload;</li>
 *   <li>an unchanged service keeps its chain objects, and an unchanged snapshot gives the same plan.</li>
 * </ul>
 */
class IncrementalPlannerProperties {
    private static final String NODE = "n";

    @Property(tries = 60)
    void incrementalPlansEqualFullPlansAndTheirDiffsAgree(@ForAll long seed) {
        Random random = new Random(seed);
        Cluster cluster = new Cluster(random);
        for (int i = 0, n = 5 + random.nextInt(25); i < n; i++) {
            cluster.addService();
        }
        IpFamily family = random.nextInt(4) == 0 ? IpFamily.V6 : IpFamily.V4;
        PlannerOptions opts = options(family, random, 20 + random.nextInt(100));
        IncrementalIptablesPlanner planner = new IncrementalIptablesPlanner();
        Ruleset state = Ruleset.empty(family);
        IptablesPlan previous = null;
        for (int step = 0; step < 25; step++) {
            ClusterSnapshot snapshot = cluster.snapshot();
            IptablesPlan incremental = planner.plan(snapshot, opts);
            IptablesPlan full = IptablesPlanner.plan(snapshot, opts);
            assertEquals(full.desired(), incremental.desired(), "step " + step);
            assertEquals(full.chainOwners(), incremental.chainOwners(), "step " + step);
            assertEquals(full.nfacctCounters(), incremental.nfacctCounters());
            for (Table t : full.desired().tables().values()) {
                assertEquals(t.ruleCount(), incremental.desired().table(t.name()).ruleCount());
            }
            assertSame(incremental, planner.plan(snapshot, opts), "nothing changed: the same plan");

            ChangeSet all = RulesetDiff.diff(state, full);
            Optional<PlanDelta> delta = previous == null ? Optional.empty() : PlanDelta.between(previous, incremental);
            ChangeSet changes = delta.isPresent() ? RulesetDiff.diff(state, incremental, delta.get()) : all;
            assertEquals(sortedLines(all), sortedLines(changes), "step " + step);
            Ruleset after = RulesetDiff.apply(state, changes);
            assertEquals(RulesetDiff.simulate(state, changes), after, "step " + step);
            assertTrue(RulesetDiff.diff(after, full).isEmpty(), () -> RulesetDiff.diff(after, full).payload());
            PlanDelta none = PlanDelta.between(incremental, incremental).orElseThrow();
            assertTrue(RulesetDiff.diff(after, incremental, none).isEmpty(), "diff(x, x) is empty");
            if (previous != null) {
                assertUnchangedServicesKeepTheirChains(previous, incremental, cluster.changedSinceSnapshot);
            }
            state = after;
            previous = incremental;

            cluster.changedSinceSnapshot.clear();
            int changes2 = 1 + random.nextInt(3);
            for (int c = 0; c < changes2; c++) {
                cluster.change();
            }
            if (random.nextInt(12) == 0) {
                opts = options(family, random, opts.largeClusterEndpoints());
            }
        }
    }

    /**
     * Chains owned by services nobody touched are the very same objects in the next plan (unless the
     * options or the large-cluster mode changed: then everything was rendered again).
     */
    private static void assertUnchangedServicesKeepTheirChains(IptablesPlan before, IptablesPlan after,
                                                               Set<ServicePortName> touched) {
        if (!sameMode(before, after)) {
            return;
        }
        Table natBefore = before.desired().table("nat");
        Table natAfter = after.desired().table("nat");
        for (Map.Entry<String, ServicePortName> e : after.chainOwners().entrySet()) {
            if (!touched.contains(e.getValue())) {
                assertSame(natBefore.chain(e.getKey()), natAfter.chain(e.getKey()), e.getKey());
            }
        }
    }

    /** Whether the two plans were made in the same large-cluster mode (a flip renders everything again). */
    private static boolean sameMode(IptablesPlan before, IptablesPlan after) {
        return PlanDelta.between(before, after).isPresent();
    }

    private static List<String> sortedLines(ChangeSet changes) {
        List<String> out = new ArrayList<>();
        for (var t : changes.tables()) {
            StringBuilder sb = new StringBuilder();
            try {
                t.writeTo(sb);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            sb.toString().lines().forEach(l -> out.add(t.table() + " " + l));
        }
        out.sort(null);
        return out;
    }

    private static PlannerOptions options(IpFamily family, Random random, int largeCluster) {
        LocalTrafficDetector detector = switch (random.nextInt(3)) {
            case 0 -> LocalTrafficDetector.NONE;
            case 1 -> LocalTrafficDetector.ofCidr(Cidr.parse(family == IpFamily.V4 ? "10.0.0.0/8" : "fd00::/8"));
            default -> LocalTrafficDetector.ofInterface("veth");
        };
        InetAddress nodeIP = Addresses.parseIp(family == IpFamily.V4 ? "192.0.2.10" : "2001:db8::10");
        return new PlannerOptions(family, NODE, random.nextBoolean() ? "" : "zone-a", detector, random.nextInt(5) == 0,
                14, List.of(), List.of(nodeIP), nodeIP, family == IpFamily.V4 && random.nextBoolean(),
                random.nextBoolean(), random.nextBoolean(), largeCluster);
    }

    /** A small mutable cluster with every kind of service the renderer knows. */
    private static final class Cluster {
        private final Random random;
        private final TreeMap<ServicePortName, ServicePort> services = new TreeMap<>();
        private final Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        final java.util.Set<ServicePortName> changedSinceSnapshot = new java.util.HashSet<>();
        private int next;

        Cluster(Random random) {
            this.random = random;
        }

        ClusterSnapshot snapshot() {
            return new ClusterSnapshot(services, endpoints, Optional.empty(), List.of());
        }

        void addService() {
            int id = next++;
            Protocol protocol = Protocol.values()[random.nextInt(Protocol.values().length)];
            ServicePortName name = new ServicePortName("ns" + (id % 3), "svc" + id, "p", protocol);
            services.put(name, service(name, id));
            endpoints.put(name, endpoints(id));
            changedSinceSnapshot.add(name);
        }

        void change() {
            if (services.isEmpty() || random.nextInt(8) == 0) {
                addService();
                return;
            }
            List<ServicePortName> names = new ArrayList<>(services.keySet());
            ServicePortName name = names.get(random.nextInt(names.size()));
            changedSinceSnapshot.add(name);
            int id = Integer.parseInt(name.name().substring(3));
            switch (random.nextInt(6)) {
                case 0 -> {
                    services.remove(name);
                    endpoints.remove(name);
                }
                case 1 -> services.put(name, service(name, id + 1000 * (1 + random.nextInt(5))));
                case 2 -> {
                    List<Endpoint> eps = new ArrayList<>(endpoints.getOrDefault(name, List.of()));
                    eps.add(endpoint(id, 50 + random.nextInt(50)));
                    endpoints.put(name, eps);
                }
                case 3 -> {
                    List<Endpoint> eps = new ArrayList<>(endpoints.getOrDefault(name, List.of()));
                    if (!eps.isEmpty()) {
                        eps.remove(random.nextInt(eps.size()));
                    }
                    endpoints.put(name, eps);
                }
                case 4 -> endpoints.put(name, List.of());
                default -> endpoints.put(name, endpoints(id + random.nextInt(7)));
            }
        }

        private ServicePort service(ServicePortName name, int id) {
            int kind = random.nextInt(5);
            int n = id % 200;
            List<InetAddress> clusterIPs = new ArrayList<>();
            if (random.nextInt(6) != 0) {
                clusterIPs.add(Addresses.parseIp("10.96." + (n / 200) + "." + (n % 200 + 1)));
            }
            if (random.nextInt(3) == 0) {
                clusterIPs.add(Addresses.parseIp("fd00:96::" + Integer.toHexString(n + 1)));
            }
            int nodePort = kind >= 2 ? 30000 + id % 2000 : 0;
            List<InetAddress> external = kind == 1 ? List.of(Addresses.parseIp("198.51.100." + (n % 250 + 1))) : List.of();
            List<InetAddress> lb = kind == 3 ? List.of(Addresses.parseIp("203.0.113." + (n % 250 + 1))) : List.of();
            List<Cidr> ranges = kind == 3 && random.nextBoolean() ? List.of(Cidr.parse("192.0.2.0/24")) : List.of();
            boolean etpLocal = kind >= 2 && random.nextBoolean();
            return new ServicePort(name, clusterIPs, 80 + random.nextInt(3), nodePort, external, lb, ranges, etpLocal,
                    random.nextInt(5) == 0, random.nextInt(5) == 0 ? 10800 : 0,
                    etpLocal && kind == 3 ? 32000 + id % 700 : 0);
        }

        private List<Endpoint> endpoints(int id) {
            List<Endpoint> out = new ArrayList<>();
            for (int e = 0, count = random.nextInt(6); e < count; e++) {
                out.add(endpoint(id, e));
            }
            return out;
        }

        private Endpoint endpoint(int id, int e) {
            String node = random.nextInt(3) == 0 ? NODE : "other";
            boolean ready = random.nextInt(5) != 0;
            InetAddress ip = random.nextInt(4) == 0
                    ? Addresses.parseIp("fd00:1::" + Integer.toHexString(id % 200 * 256 + e + 1))
                    : Addresses.parseIp("10.1." + (id % 200) + "." + (e + 1));
            return new Endpoint(ip, 8080, ready, ready || random.nextBoolean(), !ready && random.nextBoolean(), node,
                    Set.of(), Set.of());
        }
    }
}
