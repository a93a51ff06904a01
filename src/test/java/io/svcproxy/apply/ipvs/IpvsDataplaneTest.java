package io.svcproxy.apply.ipvs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** IPVS mode behind the seam (the sync itself is IpvsSyncerTest's): families, report, canary. */
class IpvsDataplaneTest {

    @Test
    void theGlueIsReportedPerFamilyAndIpvsAsTheModesDetail() {
        IpvsSyncerTest.Node node = new IpvsSyncerTest.Node();
        IpvsDataplane dataplane = node.daemon();
        SyncReport r = dataplane.sync(true);
        assertEquals(List.of(IpFamily.V4), dataplane.families());
        FamilyResult v4 = r.families().get(0);
        Map<String, Integer> owned = new TreeMap<>();
        node.plan().glue().desired().tables().forEach((name, t) -> owned.put(name, t.ruleCount()));
        assertEquals(owned, v4.rulesPerTable());
        IpvsSyncSummary ipvs = r.detail(IpvsSyncSummary.class);
        assertEquals("ipvs=+" + ipvs.added() + "/-0/~0 ipset lines=" + ipvs.ipsetLines(), ipvs.describe());
        assertTrue(r.describe().contains(" IPv4=+" + v4.rulesAdded() + "/-0 " + ipvs.describe() + " "), r.describe());
    }

    @Test
    void theCanaryIsTheGluesNatKubeServicesChain() {
        IpvsSyncerTest.Node node = new IpvsSyncerTest.Node();
        IpvsDataplane dataplane = node.daemon();
        assertEquals("chain KUBE-SERVICES", dataplane.canary());
        assertFalse(dataplane.canaryPresent(), "nothing written yet");
        dataplane.sync(true);
        assertTrue(dataplane.canaryPresent());
        node.iptables.set(IpFamily.V4, Ruleset.empty(IpFamily.V4));
        assertFalse(dataplane.canaryPresent());
    }
}
