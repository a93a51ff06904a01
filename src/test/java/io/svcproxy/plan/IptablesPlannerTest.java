package io.svcproxy.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.iptables.Chain;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.testing.SyntheticCluster;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

class IptablesPlannerTest {

    static ClusterSnapshot cluster(int services, int endpointsEach) {
        return SyntheticCluster.of(services, endpointsEach, false);
    }

    private static List<String> sepRules(IptablesPlan plan) {
        return plan.desired().table("nat").chains().values().stream()
                .filter(c -> c.name().startsWith("KUBE-SEP-")).map(Chain::rules).flatMap(List::stream).toList();
    }

    @Test
    void largeClustersDropPerEndpointCommentsLikeKubeProxy() {
        PlannerOptions opts = PlannerOptions.defaults(IpFamily.V4, "n");
        IptablesPlan small = IptablesPlanner.plan(cluster(100, 10), opts);
        IptablesPlan large = IptablesPlanner.plan(cluster(101, 10), opts);
        assertTrue(sepRules(small).stream().allMatch(r -> r.contains("--comment")));
        assertTrue(sepRules(large).stream().noneMatch(r -> r.contains("--comment")));
        // Service-level rules keep their comments either way.
        assertTrue(large.desired().table("nat").chain("KUBE-SERVICES").rules().stream()
                .allMatch(r -> r.contains("--comment")));
    }

    @Test
    void probabilitiesFollowTheOneOverNSequence() {
        IptablesPlan plan = IptablesPlanner.plan(cluster(1, 4), PlannerOptions.defaults(IpFamily.V4, "n"));
        List<String> svc = plan.desired().table("nat").chains().values().stream()
                .filter(c -> c.name().startsWith("KUBE-SVC-")).findFirst().orElseThrow().rules();
        assertEquals(4, svc.size());
        assertTrue(svc.get(0).contains("--probability 0.25000000000"));
        assertTrue(svc.get(1).contains("--probability 0.33333333349"));
        assertTrue(svc.get(2).contains("--probability 0.50000000000"));
        assertFalse(svc.get(3).contains("statistic"));
    }

    @Test
    void masqueradeBitSetsTheMark() {
        IptablesPlan plan = IptablesPlanner.plan(cluster(1, 1),
                PlannerOptions.defaults(IpFamily.V4, "n").withMasqueradeBit(15));
        assertEquals(List.of("-j MARK --set-xmark 0x8000/0x8000"),
                plan.desired().table("nat").chain("KUBE-MARK-MASQ").rules());
    }

    @Test
    void sameSnapshotGivesIdenticalPlans() {
        PlannerOptions opts = PlannerOptions.defaults(IpFamily.V4, "n");
        assertEquals(IptablesPlanner.plan(cluster(50, 3), opts), IptablesPlanner.plan(cluster(50, 3), opts));
    }

    @Test
    void nodePortsJumpIsTheLastRuleOfKubeServices() {
        List<String> rules = IptablesPlanner.plan(cluster(20, 2), PlannerOptions.defaults(IpFamily.V4, "n"))
                .desired().table("nat").chain("KUBE-SERVICES").rules();
        assertTrue(rules.get(rules.size() - 1).endsWith("-j KUBE-NODEPORTS"));
        assertEquals(21, rules.size());
    }
}
