package io.svcproxy.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.testing.SyntheticCluster;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** iptables mode behind the seam: what a sync reports, how a refusal surfaces, the canary, conntrack. */
class IptablesDataplaneTest {
    private static final PlannerOptions OPTS = PlannerOptions.defaults(IpFamily.V4, "n");
    private static final TriggerTime TRIGGER = new TriggerTime(IpFamily.V4, Instant.parse("2025-03-01T10:00:00Z"));

    private final FakeIptables kernel = new FakeIptables();
    private final List<List<ConntrackFilter>> cleaned = new ArrayList<>();
    private ClusterSnapshot snapshot = SyntheticCluster.of(3, 2, true);
    private final SnapshotSupplier source = new SnapshotSupplier() {
        @Override
        public ClusterSnapshot current() {
            return snapshot;
        }

        @Override
        public List<TriggerTime> takeTriggerTimes() {
            return List.of(TRIGGER);
        }
    };
    private final ConntrackFilter stale = new ConntrackFilter(IpFamily.V4, Protocol.UDP,
            Addresses.parseIp("10.96.0.10"), 53, Addresses.parseIp("10.244.1.5"));
    private final IptablesDataplane dataplane = new IptablesDataplane(source,
            (s, family) -> IptablesPlanner.plan(s, OPTS),
            List.of(new IptablesSyncer(IpFamily.V4, kernel, names -> { }, 100)),
            filters -> {
                cleaned.add(filters);
                return filters.size();
            },
            (before, after) -> List.of(stale));

    @Test
    void aSyncReportsEachFamilyWithTheRulesItsPlanOwnsPerTable() {
        SyncReport r = dataplane.sync(true);
        assertEquals(List.of(IpFamily.V4), dataplane.families());
        assertEquals(1, r.families().size());
        FamilyResult v4 = r.families().get(0);
        assertEquals(IpFamily.V4, v4.family());
        assertTrue(v4.full());
        assertEquals(kernel.payloads.size(), v4.writes());
        assertEquals(kernel.payloads.stream().mapToLong(String::length).sum(), v4.payloadBytes());
        Map<String, Integer> owned = new TreeMap<>();
        IptablesPlanner.plan(snapshot, OPTS).desired().tables().forEach((name, t) -> owned.put(name, t.ruleCount()));
        assertEquals(owned, v4.rulesPerTable());
        assertEquals(List.of(TRIGGER), r.triggerTimes());
        assertSame(snapshot, r.snapshot());
        assertEquals(0, dataplane.sync(false).writes(), "nothing changed: nothing written");
    }

    @Test
    void aRefusedPayloadIsARefusalOfItsFamilyInTheSeamsWords() {
        kernel.failNextRestores = 1;
        DataplaneException e = assertThrows(DataplaneException.class, () -> dataplane.sync(true));
        assertTrue(e.refused());
        assertEquals("iptables-restore", e.component());
        assertEquals(IpFamily.V4, e.family());
        assertFalse(e.partial(), "the first sync read the kernel");
    }

    @Test
    void theCanaryIsKubeProxysMangleChainWhichOnlyAFlushRemoves() {
        assertEquals("chain KUBE-PROXY-CANARY", dataplane.canary());
        assertFalse(dataplane.canaryPresent(), "nothing written yet");
        dataplane.sync(true);
        assertTrue(dataplane.canaryPresent());
        kernel.set(IpFamily.V4, Ruleset.empty(IpFamily.V4));
        assertFalse(dataplane.canaryPresent());
    }

    @Test
    void staleConntrackEntriesAreDeletedAfterTheRulesChangedNotOnTheFirstSync() {
        assertEquals(0, dataplane.sync(true).conntrackDeleted(), "no earlier state to be stale against");
        assertEquals(List.of(), cleaned);
        snapshot = SyntheticCluster.of(4, 2, true);
        assertEquals(1, dataplane.sync(false).conntrackDeleted());
        assertEquals(List.of(List.of(stale)), cleaned);
    }
}
