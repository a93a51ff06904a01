package io.svcproxy.apply.ipvs;

import io.svcproxy.apply.FakeIptables;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.diff.ipvs.IpvsDiff;
import io.svcproxy.ipvs.IpvsApplyException;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.netlink.ipvs.ClientIpvsKernel;
import io.svcproxy.netlink.ipvs.FakeIpvsClient;
import io.svcproxy.netlink.ipvs.FakeKubeIpvsInterface;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;
import io.svcproxy.plan.ipvs.IpvsPlan;
import io.svcproxy.plan.ipvs.IpvsPlanner;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.source.SnapshotSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpvsSyncerTest {
    private static final IpvsOptions OPTS = IpvsOptions.defaults(PlannerOptions.defaults(IpFamily.V4, "n"));
    private static final VirtualServer.Key WEB = new VirtualServer.Key(Addresses.parseIp("10.96.0.10"), Protocol.TCP, 80);
    private static final VirtualServer.Key DNS = new VirtualServer.Key(Addresses.parseIp("10.96.0.53"), Protocol.UDP, 53);

    /** A TCP service and a UDP service, each with the given backends 10.244.0.{1..n}. */
    static ClusterSnapshot cluster(int webBackends, int dnsBackends) {
        return cluster(webBackends, dnsBackends, 0, Set.of());
    }

    /**
     * Also {@code apps} TCP services app-i on 10.96.1.i:80 (i = 1..apps), with 3 backends each, 2 for
     * those in {@code shrunk}.
     */
    static ClusterSnapshot cluster(int webBackends, int dnsBackends, int apps, Set<Integer> shrunk) {
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>();
        Map<ServicePortName, List<Endpoint>> eps = new HashMap<>();
        add(svcs, eps, new ServicePortName("default", "web", "http", Protocol.TCP), "10.96.0.10", 80, 8080, webBackends);
        add(svcs, eps, new ServicePortName("kube-system", "dns", "dns", Protocol.UDP), "10.96.0.53", 53, 5353, dnsBackends);
        for (int i = 1; i <= apps; i++) {
            add(svcs, eps, new ServicePortName("default", "app-" + i, "http", Protocol.TCP), "10.96.1." + i, 80, 8080,
                    shrunk.contains(i) ? 2 : 3);
        }
        return new ClusterSnapshot(svcs, eps, Optional.empty(), List.of());
    }

    private static VirtualServer.Key app(int i) {
        return new VirtualServer.Key(Addresses.parseIp("10.96.1." + i), Protocol.TCP, 80);
    }

    private static void add(TreeMap<ServicePortName, ServicePort> svcs, Map<ServicePortName, List<Endpoint>> eps,
                            ServicePortName name, String vip, int port, int targetPort, int backends) {
        svcs.put(name, new ServicePort(name, List.of(Addresses.parseIp(vip)), port, 0, List.of(), List.of(), List.of(),
                false, false, 0, 0));
        List<Endpoint> list = new ArrayList<>();
        for (int i = 1; i <= backends; i++) {
            list.add(Endpoint.ready(Addresses.parseIp("10.244.0." + i), targetPort, "n"));
        }
        eps.put(name, list);
    }

    /** One node: the fake kernels stay, the daemon (syncer) can be restarted on them. */
    static final class Node {
        final FakeIptables iptables = new FakeIptables();
        final FakeIpvsClient ipvs = new FakeIpvsClient();
        final FakeKubeIpvsInterface kubeIpvs0 = new FakeKubeIpvsInterface();
        final FakeIpsetRunner ipset = new FakeIpsetRunner();
        final List<ConntrackFilter> conntrack = new ArrayList<>();
        ClusterSnapshot snapshot = cluster(3, 3);
        long now = 1_000_000;

        IpvsDataplane daemon() {
            SnapshotSource source = new SnapshotSource() {
                @Override
                public void start(Runnable onChange) {
                }

                @Override
                public ClusterSnapshot current() {
                    return snapshot;
                }

                @Override
                public void close() {
                }
            };
            return new IpvsDataplane(source, (s, f) -> IpvsPlanner.plan(s, OPTS),
                    List.of(new IptablesSyncer(IpFamily.V4, iptables, names -> { }, 250)),
                    new CommandIpsets(ipset), new ClientIpvsKernel(ipvs, kubeIpvs0),
                    filters -> {
                        conntrack.addAll(filters);
                        return filters.size();
                    },
                    () -> new IpvsDiff.Scope(Set.of(), List.of(), Duration.ofMinutes(15)), () -> now);
        }

        IpvsPlan plan() {
            return IpvsPlanner.plan(snapshot, OPTS);
        }

        int ipvsWrites() {
            return ipvs.counts().entrySet().stream()
                    .filter(e -> !e.getKey().equals("services") && !e.getKey().equals("destinations"))
                    .mapToInt(Map.Entry::getValue).sum() + kubeIpvs0.changes();
        }
    }

    private static void assertConverged(Node node) {
        IpvsPlan plan = node.plan();
        ClientIpvsKernel kernel = new ClientIpvsKernel(node.ipvs, node.kubeIpvs0);
        assertEquals(plan.ipvs().services().keySet(), kernel.read().services().keySet());
        for (VirtualServer.Key k : plan.ipvs().services().keySet()) {
            assertEquals(plan.ipvs().destinationsOf(k).stream().map(RealServer::key).sorted().toList(),
                    kernel.read().destinationsOf(k).stream().map(RealServer::key).sorted().toList());
        }
        assertEquals(Set.copyOf(plan.ipvs().boundAddresses()), node.kubeIpvs0.bound());
        assertTrue(RulesetDiff.diff(node.iptables.state(IpFamily.V4), plan.glue()).isEmpty(), "glue in place");
        plan.ipsets().sets().forEach((name, set) ->
                assertEquals(Set.copyOf(set.members()), node.ipset.members.get(name), name));
    }

    @Test
    void theFirstSyncProgramsEverything() {
        Node node = new Node();
        node.ipset.types.put("FOREIGN", "hash:ip");
        node.ipset.members.put("FOREIGN", new java.util.LinkedHashSet<>(List.of("192.0.2.1")));
        SyncReport r = node.daemon().sync(true);
        assertConverged(node);
        assertEquals(2, node.ipvs.count("addService"));
        assertEquals(6, node.ipvs.count("addDestination"));
        assertEquals(Set.of("10.96.0.10", "10.96.0.53"),
                Set.copyOf(node.kubeIpvs0.bound().stream().map(Addresses::format).toList()));
        assertTrue(node.ipset.members.get("KUBE-CLUSTER-IP").contains("10.96.0.10,tcp:80"));
        assertEquals(Set.of("192.0.2.1"), node.ipset.members.get("FOREIGN"), "foreign sets are left alone");
        assertEquals(10, r.detail(IpvsSyncSummary.class).added(), "2 services, 6 destinations, 2 addresses");
        assertTrue(r.describe().contains(" ipvs=+10/-0/~0"), r.describe());
    }

    @Test
    void aNoOpResyncSendsNoIpvsMessageAndRunsNoTool() {
        Node node = new Node();
        IpvsDataplane daemon = node.daemon();
        daemon.sync(true);
        long sent = node.ipvs.messagesSent();
        int reads = node.kubeIpvs0.reads();
        int commands = node.ipset.commands.size();
        int payloads = node.iptables.payloads.size();
        SyncReport r = daemon.sync(false);
        assertEquals(sent, node.ipvs.messagesSent(), "no IPVS message at all");
        assertEquals(reads, node.kubeIpvs0.reads());
        assertEquals(commands, node.ipset.commands.size(), "no ipset run");
        assertEquals(payloads, node.iptables.payloads.size(), "no iptables-restore");
        assertEquals(0, r.detail(IpvsSyncSummary.class).changes());
        // A full resync reads everything but writes nothing either.
        node.ipvs.resetCounts();
        daemon.sync(true);
        assertEquals(0, node.ipvsWrites() - node.kubeIpvs0.changes() + 0);
        assertEquals(payloads, node.iptables.payloads.size());
    }

    @Test
    void aRemovedTcpEndpointIsDrainedThenDeletedAndAUdpOneGoesAtOnceWithItsConntrack() {
        Node node = new Node();
        IpvsDataplane daemon = node.daemon();
        daemon.sync(true);
        RealServer third = RealServer.of(Addresses.parseIp("10.244.0.3"), 8080);
        node.ipvs.setConnections(WEB, third, 2, 1);
        node.snapshot = cluster(2, 3);
        node.ipvs.resetCounts();
        SyncReport r = daemon.sync(false);
        assertEquals(1, node.ipvs.count("updateDestination"), "one weight-0 update");
        assertEquals(0, node.ipvs.count("deleteDestination"));
        assertEquals(1, r.detail(IpvsSyncSummary.class).draining());
        assertEquals(0, node.ipvs.destinations(WEB).stream().filter(d -> d.key().equals(third.key()))
                .findFirst().orElseThrow().weight());
        assertFalse(node.ipset.members.get("KUBE-LOOP-BACK").stream().anyMatch(m -> m.startsWith("10.244.0.3,tcp:")),
                "its ipset entries go at once");

        // Connections still there: it stays drained, nothing is sent but the reads.
        node.ipvs.resetCounts();
        daemon.sync(false);
        assertEquals(0, node.ipvs.count("updateDestination") + node.ipvs.count("deleteDestination"));

        // Connections gone: one delete.
        node.ipvs.setConnections(WEB, third, 0, 0);
        node.ipvs.resetCounts();
        r = daemon.sync(false);
        assertEquals(1, node.ipvs.count("deleteDestination"));
        assertEquals(0, r.detail(IpvsSyncSummary.class).draining());
        assertConverged(node);

        // A UDP endpoint is deleted at once, and its conntrack entries are flushed.
        node.snapshot = cluster(2, 2);
        node.ipvs.resetCounts();
        r = daemon.sync(false);
        assertEquals(1, node.ipvs.count("deleteDestination"));
        assertEquals(List.of(new ConntrackFilter(IpFamily.V4, Protocol.UDP, Addresses.parseIp("10.96.0.53"), 53,
                Addresses.parseIp("10.244.0.3"))), node.conntrack);
        assertEquals(1, r.conntrackDeleted());
    }

    @Test
    void aDrainedEndpointIsDeletedAfterTheBoundEvenWithConnections() {
        Node node = new Node();
        IpvsDataplane daemon = node.daemon();
        daemon.sync(true);
        RealServer third = RealServer.of(Addresses.parseIp("10.244.0.3"), 8080);
        node.ipvs.setConnections(WEB, third, 5, 0);
        node.snapshot = cluster(2, 3);
        daemon.sync(false);
        node.now += Duration.ofMinutes(16).toMillis();
        node.ipvs.resetCounts();
        daemon.sync(true);
        assertEquals(1, node.ipvs.count("deleteDestination"));
        assertTrue(daemon.drainState().isEmpty());
    }

    @Test
    void aRestartedDaemonConvergesWithoutAnyWrite() {
        Node node = new Node();
        node.daemon().sync(true);
        node.ipvs.resetCounts();
        int changes = node.kubeIpvs0.changes();
        int payloads = node.iptables.payloads.size();
        int restores = node.ipset.restoreRuns();
        SyncReport r = node.daemon().sync(true);   // a new process: nothing remembered
        assertEquals(0, r.detail(IpvsSyncSummary.class).changes(), r.describe());
        assertEquals(0, node.ipvs.count("deleteService") + node.ipvs.count("deleteDestination")
                + node.ipvs.count("addService") + node.ipvs.count("addDestination"));
        assertEquals(changes, node.kubeIpvs0.changes());
        assertEquals(payloads, node.iptables.payloads.size());
        assertEquals(restores, node.ipset.restoreRuns());
        assertTrue(r.describe().contains(" ipvs=+0/-0/~0"), r.describe());
    }

    @Test
    void afterAnIpvsFailureTheNextSyncReadsTheKernelAndRepairs() {
        Node node = new Node();
        IpvsDataplane daemon = node.daemon();
        daemon.sync(true);
        node.snapshot = cluster(4, 3);
        node.ipvs.failNext("addDestination", 17);
        assertThrows(IpvsApplyException.class, () -> daemon.sync(false));
        node.ipvs.resetCounts();
        daemon.sync(false);   // even if the loop asked for a partial one
        assertEquals(1, node.ipvs.count("services"), "the kernel is read again");
        assertEquals(1, node.ipvs.count("addDestination"));
        assertConverged(node);
    }

    @Test
    void aRefusedIpsetRestoreFailsTheSyncBeforeAnyRuleOrIpvsChange() {
        Node node = new Node();
        // Same name, other type, left by a stranger whose iptables rule still names it: the diff must
        // destroy and re-create it, and the kernel refuses to destroy a set in use.
        node.ipset.types.put("KUBE-CLUSTER-IP", "hash:ip");
        node.ipset.members.put("KUBE-CLUSTER-IP", new java.util.LinkedHashSet<>(List.of("192.0.2.7")));
        node.ipset.inUse.add("KUBE-CLUSTER-IP");
        IpvsDataplane daemon = node.daemon();

        Ipsets.IpsetException e = assertThrows(Ipsets.IpsetException.class, () -> daemon.sync(true));
        assertTrue(e.getMessage().contains("in use by a kernel component"), e.getMessage());
        assertTrue(e.getMessage().contains("destroy KUBE-CLUSTER-IP"), "names the refused line: " + e.getMessage());
        assertEquals(1, node.ipset.restoreRuns(), "one ipset restore, the refused one");
        assertEquals(List.of(), node.ipset.restored, "the refused line is the first: nothing of it applied");
        assertEquals("hash:ip", node.ipset.types.get("KUBE-CLUSTER-IP"), "the stranger's set is untouched");
        assertEquals(Set.of("192.0.2.7"), node.ipset.members.get("KUBE-CLUSTER-IP"));
        assertEquals(List.of(), node.iptables.payloads, "no iptables-restore: no glue rule written");
        assertTrue(node.iptables.state(IpFamily.V4).tables().values().stream().allMatch(t -> t.ruleCount() == 0),
                "no glue rule in the kernel");
        assertEquals(0, node.ipvsWrites(), "no IPVS service, destination or kube-ipvs0 address written");
        assertEquals(0, node.kubeIpvs0.changes());
        assertEquals(0, node.ipvs.count("services") + node.ipvs.count("destinations"),
                "IPVS is not even read: the sync stops at the ipsets");

        // Once the stranger's rule is gone, the next sync goes through and converges.
        node.ipset.inUse.clear();
        daemon.sync(false);
        assertConverged(node);
        assertEquals("hash:ip,port", node.ipset.types.get("KUBE-CLUSTER-IP"), "re-created with its own type");
    }

    @Test
    void removingOneTcpEndpointDumpsOnlyItsServiceWhateverTheNumberOfServices() {
        for (int apps : new int[] {0, 40}) {
            Node node = new Node();
            node.snapshot = cluster(3, 3, apps, Set.of());
            IpvsDataplane daemon = node.daemon();
            daemon.sync(true);
            int addressReads = node.kubeIpvs0.reads();

            // No connections: deleted, after reading that one service's destinations.
            node.snapshot = cluster(2, 3, apps, Set.of());
            node.ipvs.resetCounts();
            daemon.sync(false);
            String at = " (with " + apps + " more services)";
            assertEquals(List.of(WEB), node.ipvs.destinationDumps(), "only the service losing one is read" + at);
            assertEquals(0, node.ipvs.count("services"), "no service dump" + at);
            assertEquals(1, node.ipvs.count("deleteDestination"));
            assertEquals(2, node.ipvs.messagesSent(), "one destination dump + one delete" + at);
            assertEquals(addressReads, node.kubeIpvs0.reads(), "no address dump" + at);
            assertConverged(node);

            // With connections (which the remembered state does not know): the read makes it a drain.
            RealServer second = RealServer.of(Addresses.parseIp("10.244.0.2"), 8080);
            node.ipvs.setConnections(WEB, second, 1, 0);
            node.snapshot = cluster(1, 3, apps, Set.of());
            node.ipvs.resetCounts();
            SyncReport r = daemon.sync(false);
            assertEquals(List.of(WEB), node.ipvs.destinationDumps());
            assertEquals(1, node.ipvs.count("updateDestination"), "weight 0, not deleted" + at);
            assertEquals(0, node.ipvs.count("deleteDestination"));
            assertEquals(2, node.ipvs.messagesSent(), "one destination dump + one weight-0 update" + at);
            assertEquals(1, r.detail(IpvsSyncSummary.class).draining());
        }
    }

    @Test
    void whileDestinationsDrainOnlyTheDrainingServicesAreRead() {
        Node node = new Node();
        node.snapshot = cluster(3, 3, 20, Set.of());
        IpvsDataplane daemon = node.daemon();
        daemon.sync(true);
        RealServer third = RealServer.of(Addresses.parseIp("10.244.0.3"), 8080);
        RealServer appThird = RealServer.of(Addresses.parseIp("10.244.0.3"), 8080);
        node.ipvs.setConnections(WEB, third, 2, 1);
        node.snapshot = cluster(2, 3, 20, Set.of());
        daemon.sync(false);
        assertEquals(1, daemon.drainState().since().size());

        // Nothing changed: the draining service alone is read, nothing is written.
        node.ipvs.resetCounts();
        int addressReads = node.kubeIpvs0.reads();
        daemon.sync(false);
        assertEquals(List.of(WEB), node.ipvs.destinationDumps());
        assertEquals(1, node.ipvs.messagesSent(), "one destination dump, no service dump, no write");
        assertEquals(addressReads, node.kubeIpvs0.reads());

        // Another service loses a connected destination: the draining one and that one are read.
        node.ipvs.setConnections(app(7), appThird, 1, 0);
        node.snapshot = cluster(2, 3, 20, Set.of(7));
        node.ipvs.resetCounts();
        SyncReport r = daemon.sync(false);
        assertEquals(List.of(WEB, app(7)), node.ipvs.destinationDumps());
        assertEquals(1, node.ipvs.count("updateDestination"));
        assertEquals(2, r.detail(IpvsSyncSummary.class).draining());

        // The first one's connections end: both draining services are read, the first is deleted.
        node.ipvs.setConnections(WEB, third, 0, 0);
        node.ipvs.resetCounts();
        r = daemon.sync(false);
        assertEquals(List.of(WEB, app(7)), node.ipvs.destinationDumps());
        assertEquals(1, node.ipvs.count("deleteDestination"));
        assertEquals(3, node.ipvs.messagesSent(), "two destination dumps + one delete");
        assertEquals(1, r.detail(IpvsSyncSummary.class).draining());

        // A full sync still reads the whole table (drift repair), draining or not.
        node.ipvs.resetCounts();
        daemon.sync(true);
        assertEquals(1, node.ipvs.count("services"));
        assertEquals(22, node.ipvs.count("destinations"));
        assertEquals(1, daemon.drainState().since().size(), "still draining: connections left");

        // The last one drained: deleted after a read of its service; then nothing is read at all.
        node.ipvs.setConnections(app(7), appThird, 0, 0);
        node.ipvs.resetCounts();
        daemon.sync(false);
        assertEquals(List.of(app(7)), node.ipvs.destinationDumps());
        assertEquals(1, node.ipvs.count("deleteDestination"));
        assertTrue(daemon.drainState().isEmpty());
        node.ipvs.resetCounts();
        daemon.sync(false);
        assertEquals(0, node.ipvs.messagesSent());
        assertConverged(node);
    }

    @Test
    void aReadServiceFoundEmptyBehindOurBackMakesItAFullReadThatRepairs() {
        // A draining service deleted by someone else (e.g. ipvsadm -D): its dump is empty, as the kernel's is.
        Node node = new Node();
        IpvsDataplane daemon = node.daemon();
        daemon.sync(true);
        RealServer third = RealServer.of(Addresses.parseIp("10.244.0.3"), 8080);
        node.ipvs.setConnections(WEB, third, 1, 0);
        node.snapshot = cluster(2, 3);
        daemon.sync(false);
        node.ipvs.deleteService(WEB);
        node.ipvs.resetCounts();
        daemon.sync(false);
        assertEquals(List.of(WEB, DNS), node.ipvs.destinationDumps(), "its dump, then the whole table's");
        assertEquals(1, node.ipvs.count("services"));
        assertEquals(1, node.ipvs.count("addService"));
        assertEquals(2, node.ipvs.count("addDestination"));
        assertTrue(daemon.drainState().isEmpty(), "its drained destination went with it");
        assertConverged(node);

        // A service losing a TCP endpoint whose destinations were all deleted by someone else.
        node.snapshot = cluster(2, 3, 5, Set.of());
        daemon.sync(false);
        for (RealServer rs : node.ipvs.destinations(app(3))) {
            node.ipvs.deleteDestination(app(3), rs);
        }
        node.snapshot = cluster(2, 3, 5, Set.of(3));
        node.ipvs.resetCounts();
        daemon.sync(false);
        assertEquals(1, node.ipvs.count("services"), "read in full");
        assertEquals(0, node.ipvs.count("deleteDestination"));
        assertEquals(2, node.ipvs.count("addDestination"), "the two it should have are put back");
        assertConverged(node);
    }
}
