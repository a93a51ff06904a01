package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.apply.nftables.NftablesDataplane;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.nftables.NftDiff;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.plan.nftables.NftNames;
import io.svcproxy.testing.FakeNftKernel;
import io.svcproxy.plan.nftables.IncrementalNftablesPlanner;
import io.svcproxy.plan.nftables.NftText;
import io.svcproxy.plan.nftables.NftablesFamilyPlan;
import io.svcproxy.plan.nftables.NftablesOptions;
import io.svcproxy.plan.nftables.NftablesPlanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/** The snapshot's service CIDRs reach nftables mode's cluster-ips-check chain, per family, and a change of them re-plans. */
class NftablesServiceCidrsTest {
    private static final String DROP = "drop comment \"Drop traffic to unallocated ClusterIPs\"";
    private static final ProxyConfig CONFIG = ProxyConfig.builder().hostnameOverride("node-a").build();

    @TempDir
    Path tmp;

    private static ClusterSnapshot snapshot(String... cidrs) {
        return new ClusterSnapshot(new TreeMap<>(), Map.of(), Optional.empty(), List.of(),
                Arrays.stream(cidrs).map(Cidr::parse).toList());
    }

    private static NftablesOptions options(ClusterSnapshot s, IpFamily family) {
        return NftablesModeWiring.options(CONFIG, s, family, List.of(), false);
    }

    /** The cluster-ips-check chain as nft lists it. */
    private static String clusterIpsCheck(NftablesFamilyPlan plan) {
        String text = NftText.render(List.of(plan.table()));
        int start = text.indexOf("chain cluster-ips-check {");
        return text.substring(start, text.indexOf("\n\t}", start) + 3);
    }

    @Test
    void eachFamilysTableDropsTrafficToItsUnallocatedClusterIPs() {
        ClusterSnapshot s = snapshot("fd00:10:96::/112", "10.96.0.0/16");
        String v4 = clusterIpsCheck(NftablesPlanner.planFamily(s, options(s, IpFamily.V4)));
        String v6 = clusterIpsCheck(NftablesPlanner.planFamily(s, options(s, IpFamily.V6)));
        assertTrue(v4.contains("\tip daddr 10.96.0.0/16 " + DROP + "\n"), v4);
        assertTrue(v6.contains("\tip6 daddr fd00:10:96::/112 " + DROP + "\n"), v6);
        assertFalse(v4.contains("fd00"), v4);

        // Not adjacent: the planner lists adjacent intervals merged, as nft does.
        ClusterSnapshot two = snapshot("10.100.0.0/16", "10.96.0.0/16");
        String both = clusterIpsCheck(NftablesPlanner.planFamily(two, options(two, IpFamily.V4)));
        assertTrue(both.contains("\tip daddr { 10.96.0.0/16, 10.100.0.0/16 } " + DROP + "\n"), both);
    }

    @Test
    void noServiceCidrsLeaveTheDropRuleOut() {
        ClusterSnapshot s = snapshot("10.96.0.0/16");
        String v6 = clusterIpsCheck(NftablesPlanner.planFamily(s, options(s, IpFamily.V6)));
        assertFalse(v6.contains("drop"), "no IPv6 service CIDR: " + v6);
        String none = clusterIpsCheck(NftablesPlanner.planFamily(ClusterSnapshot.empty(),
                options(ClusterSnapshot.empty(), IpFamily.V4)));
        assertTrue(none.contains("reject comment \"Reject traffic to invalid ports of ClusterIPs\""), none);
        assertFalse(none.contains("drop"), none);
    }

    /** The daemon's planner: ServiceCIDRs that change between syncs change the options, and so the plan. */
    @Test
    void theIncrementalPlannerFollowsAChangeOfServiceCidrs() {
        IncrementalNftablesPlanner planner = new IncrementalNftablesPlanner();
        NftablesFamilyPlan before = planner.plan(ClusterSnapshot.empty(), options(ClusterSnapshot.empty(), IpFamily.V4));
        ClusterSnapshot added = snapshot("10.96.0.0/16");
        NftablesFamilyPlan after = planner.plan(added, options(added, IpFamily.V4));
        assertNotSame(before, after);
        assertTrue(clusterIpsCheck(after).contains("ip daddr 10.96.0.0/16 " + DROP), clusterIpsCheck(after));
        assertFalse(NftDiff.diff(before.table(), after.table()).isEmpty());
        assertEquals(after, planner.plan(snapshot("10.96.0.0/16"), options(added, IpFamily.V4)),
                "the same CIDRs again: the same plan");
    }

    /** The daemon's dataplane, wired as nftables mode wires it: the sync after a ServiceCIDR change writes the rule. */
    @Test
    void theSyncAfterAServiceCidrChangeWritesTheRule() {
        FakeNftKernel kernel = new FakeNftKernel();
        AtomicReference<ClusterSnapshot> current = new AtomicReference<>(ClusterSnapshot.empty());
        NftablesDataplane dataplane = new NftablesDataplane(current::get, kernel, List.of(IpFamily.V4),
                NftablesServiceCidrsTest::options, filters -> 0, (before, after) -> List.of());
        dataplane.sync(true);
        String table = NftText.render(List.of(kernel.table(NftFamily.IP, NftNames.TABLE).orElseThrow()));
        assertFalse(table.contains(DROP), table);

        current.set(snapshot("10.96.0.0/16"));
        dataplane.sync(false);
        table = NftText.render(List.of(kernel.table(NftFamily.IP, NftNames.TABLE).orElseThrow()));
        assertTrue(table.contains("\tip daddr 10.96.0.0/16 " + DROP + "\n"), table);

        current.set(ClusterSnapshot.empty());
        dataplane.sync(false);
        table = NftText.render(List.of(kernel.table(NftFamily.IP, NftNames.TABLE).orElseThrow()));
        assertFalse(table.contains(DROP), "the last ServiceCIDR deleted: " + table);
    }

    /** plan --cluster FILE: a ServiceCIDR document in the file gives the rule. */
    @Test
    void aServiceCidrInTheClusterFileGivesTheRule() throws IOException {
        Path file = tmp.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: networking.k8s.io/v1
                kind: ServiceCIDR
                metadata: {name: kubernetes}
                spec: {cidrs: [10.96.0.0/16]}
                """);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "plan", "--cluster", file.toString(), "--proxy-mode", "nftables", "--output", "nft");
        assertEquals(2, code, err.toString());
        assertTrue(out.toString().contains("\tip daddr 10.96.0.0/16 " + DROP + "\n"), out.toString());
    }
}
