package io.svcproxy.plan.nftables;

import io.svcproxy.diff.nftables.NftChanges;
import io.svcproxy.diff.nftables.NftDiff;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.nftables.NftScope;
import io.svcproxy.nftables.NftSimulator;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftTableKey;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.testing.SyntheticCluster;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Over random change sequences (endpoints added and removed, services added, removed, given
 * affinity or NodePorts, two services sharing a pod port so their hairpin keys collide): the
 * incremental planner's patched table equals planning from scratch, and the scoped diff it enables
 * leaves the kernel exactly where the full diff would.
 */
class IncrementalNftablesPlannerTest {
    private static final NftablesOptions OPTS = NftablesOptions.of(PlannerOptions.defaults(IpFamily.V4, "n"));

    @Test
    void incrementalEqualsFullAndScopedDiffEqualsFullDiff() {
        for (long seed = 0; seed < 40; seed++) {
            Random random = new Random(seed);
            ClusterSnapshot snapshot = SyntheticCluster.of(12, 3, false);
            IncrementalNftablesPlanner planner = new IncrementalNftablesPlanner();
            NftTable state = planner.plan(snapshot, OPTS).table();
            List<String> lingering = List.of();
            for (int step = 0; step < 25; step++) {
                snapshot = mutate(snapshot, random, step);
                NftablesFamilyPlan plan = planner.plan(snapshot, OPTS);
                String at = "seed " + seed + " step " + step;
                assertEquals(NftablesPlanner.planFamily(snapshot, OPTS).table(), plan.table(), at);
                NftScope scope = planner.lastScope();
                assertNotNull(scope, at);
                NftChanges scoped = NftDiff.diff(state, plan.table(), scope.withChains(lingering));
                NftChanges full = NftDiff.diff(state, plan.table());
                NftTable viaScoped = apply(state, scoped);
                assertEquals(apply(state, full), viaScoped, at + ": scoped and full batches leave the same table");
                assertEquals(scoped.after(), viaScoped, at + ": the scoped diff knows the table it leaves");
                state = viaScoped;
                lingering = scoped.lingering();
            }
        }
    }

    private static NftTable apply(NftTable state, NftChanges changes) {
        Map<NftTableKey, NftTable> out = NftSimulator.apply(Map.of(NftTableKey.of(state), state), changes.ops());
        return out.get(NftTableKey.of(state));
    }

    private static ClusterSnapshot mutate(ClusterSnapshot s, Random random, int step) {
        TreeMap<ServicePortName, ServicePort> svcs = new TreeMap<>(s.services());
        Map<ServicePortName, List<Endpoint>> eps = new HashMap<>(s.endpoints());
        List<ServicePortName> names = new ArrayList<>(svcs.keySet());
        ServicePortName pick = names.get(random.nextInt(names.size()));
        ServicePort p = svcs.get(pick);
        switch (random.nextInt(7)) {
            case 0 -> {   // an endpoint added
                List<Endpoint> list = new ArrayList<>(eps.getOrDefault(pick, List.of()));
                list.add(Endpoint.ready(Addresses.parseIp("10.200." + step + "." + (random.nextInt(200) + 1)), 8080, "n"));
                eps.put(pick, list);
            }
            case 1 -> {   // an endpoint removed (maybe the last)
                List<Endpoint> list = new ArrayList<>(eps.getOrDefault(pick, List.of()));
                if (!list.isEmpty()) {
                    list.remove(random.nextInt(list.size()));
                }
                eps.put(pick, list);
            }
            case 2 -> {   // a service removed (keep a few)
                if (svcs.size() > 3) {
                    svcs.remove(pick);
                    eps.remove(pick);
                }
            }
            case 3 -> {   // a service added
                ServicePortName n = new ServicePortName("ns", "new" + step, "http", io.svcproxy.model.Protocol.TCP);
                svcs.put(n, new ServicePort(n, List.of(Addresses.parseIp("10.97.0." + (step + 1))), 80, 0, List.of(),
                        List.of(), List.of(), false, false, 0, 0));
                eps.put(n, List.of(Endpoint.ready(Addresses.parseIp("10.201.0." + (step + 1)), 8080, "n")));
            }
            case 4 -> // affinity switched on or its timeout changed
                    svcs.put(pick, new ServicePort(pick, p.clusterIPs(), p.port(), p.nodePort(), p.externalIPs(),
                            p.loadBalancerIPs(), p.sourceRanges(), false, false,
                            p.affinityTimeoutSeconds() == 0 ? 10800 : 0, 0));
            case 5 -> // a NodePort added or removed
                    svcs.put(pick, new ServicePort(pick, p.clusterIPs(), p.port(), p.nodePort() == 0 ? 30000 + step : 0,
                            p.externalIPs(), p.loadBalancerIPs(), p.sourceRanges(), false, false,
                            p.affinityTimeoutSeconds(), 0));
            default -> { // two services share a pod port: their hairpin keys collide
                ServicePortName other = names.get(random.nextInt(names.size()));
                eps.put(pick, new ArrayList<>(eps.getOrDefault(other, List.of())));
            }
        }
        return new ClusterSnapshot(svcs, eps, s.node(), s.warnings());
    }
}
