package io.svcproxy.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.diff.BatchPolicy;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IncrementalIptablesPlanner;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.testing.SyntheticCluster;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

class IptablesSyncerTest {
    private static final PlannerOptions OPTS = PlannerOptions.defaults(IpFamily.V4, "n");

    static ClusterSnapshot cluster(int services, int endpointsEach) {
        return SyntheticCluster.of(services, endpointsEach, true);
    }

    private static IptablesPlan plan(ClusterSnapshot c) {
        return IptablesPlanner.plan(c, OPTS);
    }

    @Test
    void aLargeFirstSyncIsWrittenInBoundedSelfConsistentBatches() {
        FakeIptables kernel = new FakeIptables();
        IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 25);
        IptablesPlan plan = plan(cluster(100, 3));
        IptablesSyncer.Result r = syncer.sync(plan, true);
        // Exactly 6 restores (BatchPlanner.staging over an empty node): 1 base stage (the node-wide
        // chains and jumps, non-empty on an empty node), then the 100 services that lack chains (all
        // of them) in 100 / 25 = 4 staging batches, then 1 write of the plan itself (the jumps to the
        // staged chains). The strict simulator refused none of them: no batch jumped to a missing chain.
        assertEquals(6, r.writes(), "writes");
        assertEquals(6, kernel.payloads.size(), "one iptables-restore per write");
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan).isEmpty());
        int largest = kernel.payloads.stream().mapToInt(String::length).max().orElseThrow();
        int total = kernel.payloads.stream().mapToInt(String::length).sum();
        assertTrue(largest < total / 3, "batches are bounded: largest " + largest + " of " + total);
    }

    @Test
    void batchesNeverTakeDownAServiceThatStaysWhileNewOnesAreAdded() {
        FakeIptables kernel = new FakeIptables();
        new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 1000).sync(plan(cluster(40, 2)), true);
        kernel.payloads.clear();
        IptablesPlan bigger = plan(cluster(160, 3));
        IptablesSyncer.Result r = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 30).sync(bigger, true);
        // Every one of the 160 services lacks chains (its endpoints' IPs move as endpointsEach goes from
        // 2 to 3, so even the first 40 need new KUBE-SEP chains): ceil(160 / 30) = 6 staging batches,
        // then the plan. The base stage writes nothing: the node-wide chains are already as planned.
        assertEquals(7, r.writes(), "writes");
        assertEquals(7, kernel.payloads.size());
        for (String payload : kernel.payloads.subList(0, kernel.payloads.size() - 1)) {
            assertTrue(payload.lines().noneMatch(l -> l.startsWith("-X ") || l.startsWith("-D ")),
                    "only the last stage removes anything:\n" + payload);
        }
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), bigger).isEmpty());
    }

    @Test
    void aCrashBetweenStagedWritesConvergesOnRestartFromWhatTheKernelHolds() {
        IptablesPlan first = plan(cluster(60, 3));
        IptablesPlan afterRestart = plan(cluster(30, 4));
        for (int crashAfter = 0; crashAfter <= 6; crashAfter++) {
            FakeIptables kernel = new FakeIptables();
            IptablesRestorer crashing = crashingAfter(kernel, crashAfter);
            assertThrows(RestoreException.class, () -> new IptablesSyncer(IpFamily.V4, crashing, names -> { },
                    BatchPolicy.chains(40)).sync(first, true), "crash after " + crashAfter + " writes");
            IptablesSyncer.Result r = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, BatchPolicy.chains(40))
                    .sync(afterRestart, true);
            assertTrue(r.writes() > 0);
            assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), afterRestart).isEmpty(),
                    "converged (staged chains of services that are gone deleted) after a crash at write " + crashAfter);
        }
    }

    /** The fake kernel, but the writes after the first {@code n} are refused (the process died). */
    private static IptablesRestorer crashingAfter(FakeIptables kernel, int n) {
        return new IptablesRestorer() {
            private int left = n;

            @Override
            public Ruleset save(IpFamily family) {
                return kernel.save(family);
            }

            @Override
            public long restore(IpFamily family, io.svcproxy.diff.ChangeSet changes) {
                if (left-- <= 0) {
                    throw new RestoreException("killed", 0, "");
                }
                return kernel.restore(family, changes);
            }

            @Override
            public boolean chainExists(IpFamily family, String table, String chain) {
                return kernel.chainExists(family, table, chain);
            }
        };
    }

    @Test
    void theDefaultStagingOfTheBackendsBoundsEachBatchByNewChains() {
        FakeIptables kernel = new FakeIptables();
        IptablesPlan plan = plan(cluster(300, 10));
        IptablesSyncer.Result r = new IptablesSyncer(IpFamily.V4, kernel, names -> { },
                IptablesBackend.NFT.batchPolicy()).sync(plan, true);
        // 300 services x 11 chains = 3300 new chains: base, 4 batches of at most 1000 chains, the jumps.
        assertEquals(6, r.writes());
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan).isEmpty());
        FakeIptables legacy = new FakeIptables();
        assertEquals(1, new IptablesSyncer(IpFamily.V4, legacy, names -> { }, IptablesBackend.LEGACY.batchPolicy())
                .sync(plan, true).writes(), "legacy writes this in one restore");
    }

    @Test
    void aPartialSyncWritesOnlyTheChangeAndReadsNothing() {
        FakeIptables kernel = new FakeIptables();
        IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 250);
        syncer.sync(plan(cluster(200, 3)), true);
        int saves = kernel.saves;
        IptablesSyncer.Result r = syncer.sync(plan(cluster(200, 4)), false);
        assertEquals(saves, kernel.saves, "no iptables-save on a partial sync");
        assertEquals(1, r.writes());
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan(cluster(200, 4))).isEmpty());
    }

    @Test
    void aRestartConvergesWithoutWritingWhenTheKernelAlreadyHoldsThePlan() {
        FakeIptables kernel = new FakeIptables();
        IptablesPlan plan = plan(cluster(50, 2));
        new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 250).sync(plan, true);
        IptablesSyncer.Result afterRestart = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 250).sync(plan, true);
        assertEquals(0, afterRestart.writes());
    }

    @Test
    void driftIsFoundOnAFullSyncAndRepaired() {
        FakeIptables kernel = new FakeIptables();
        IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 250);
        IptablesPlan plan = plan(cluster(10, 2));
        syncer.sync(plan, true);
        kernel.set(IpFamily.V4, withoutFirstSepRule(kernel.state(IpFamily.V4)));

        IptablesSyncer.Result partial = syncer.sync(plan, false);
        assertEquals(0, partial.writes(), "a partial sync trusts memory");
        IptablesSyncer.Result full = syncer.sync(plan, true);
        assertTrue(full.driftRepaired() > 0);
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan).isEmpty());
    }

    @Test
    void aFailedWriteForgetsTheRememberedStateSoTheNextSyncReadsTheKernel() {
        FakeIptables kernel = new FakeIptables();
        IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 250);
        syncer.sync(plan(cluster(5, 1)), true);
        kernel.failNextRestores = 1;
        assertThrows(RestoreException.class, () -> syncer.sync(plan(cluster(6, 1)), false));
        int saves = kernel.saves;
        syncer.sync(plan(cluster(6, 1)), false);
        assertEquals(saves + 1, kernel.saves);
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan(cluster(6, 1))).isEmpty());
    }

    @Test
    void partialSyncsOfIncrementalPlansWriteOnlyTheChangeAndKeepTheKernelEqualToTheFullPlan() {
        FakeIptables kernel = new FakeIptables();
        IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 20);
        IncrementalIptablesPlanner planner = new IncrementalIptablesPlanner();
        ClusterSnapshot base = cluster(60, 3);
        syncer.sync(planner.plan(base, OPTS), true);
        int saves = kernel.saves;

        // One endpoint more on one service: its service chain rewritten, one endpoint chain created.
        ServicePortName svc = base.services().firstKey();
        List<Endpoint> eps = new ArrayList<>(base.endpointsOf(svc));
        eps.add(Endpoint.ready(Addresses.parseIp("10.250.0.1"), 8080, "n"));
        ClusterSnapshot plusOne = with(base, svc, eps);
        kernel.payloads.clear();
        IptablesSyncer.Result r = syncer.sync(planner.plan(plusOne, OPTS), false);
        assertEquals(1, r.writes());
        assertEquals(1, kernel.payloads.size());
        assertEquals(List.of(":KUBE-SVC-", ":KUBE-SEP-"), kernel.payloads.get(0).lines()
                .filter(l -> l.startsWith(":")).map(l -> l.substring(0, 10)).sorted(java.util.Comparator.reverseOrder()).toList());
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan(plusOne)).isEmpty());

        // Back, then more new services than a batch holds (batched again), then a full sync: nothing to do.
        syncer.sync(planner.plan(base, OPTS), false);
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan(base)).isEmpty());
        ClusterSnapshot bigger = cluster(100, 3);
        kernel.payloads.clear();
        syncer.sync(planner.plan(bigger, OPTS), false);
        assertTrue(kernel.payloads.size() >= 2, "40 new services in batches of 20: " + kernel.payloads.size());
        assertTrue(RulesetDiff.diff(kernel.state(IpFamily.V4), plan(bigger)).isEmpty());
        assertEquals(saves, kernel.saves, "no iptables-save on a partial sync");
        assertEquals(0, syncer.sync(planner.plan(bigger, OPTS), true).writes());
    }

    private static ClusterSnapshot with(ClusterSnapshot s, ServicePortName svc, List<Endpoint> eps) {
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>(s.endpoints());
        endpoints.put(svc, eps);
        return new ClusterSnapshot(new TreeMap<>(s.services()), endpoints, s.node(), s.warnings());
    }

    private static Ruleset withoutFirstSepRule(Ruleset r) {
        Map<String, Table> tables = new LinkedHashMap<>(r.tables());
        Table nat = r.table("nat");
        Map<String, Chain> chains = new LinkedHashMap<>(nat.chains());
        Chain sep = chains.values().stream().filter(c -> c.name().startsWith("KUBE-SEP-")).findFirst().orElseThrow();
        chains.put(sep.name(), Chain.user(sep.name(), sep.rules().subList(1, sep.rules().size())));
        tables.put("nat", new Table("nat", chains));
        return new Ruleset(r.family(), tables);
    }
}
