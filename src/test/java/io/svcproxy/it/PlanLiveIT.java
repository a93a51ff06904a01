package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The packaged jar's "plan --against live" inside a node namespace: a node holding exactly the plan
 * needs no change (exit 0); a node where someone deleted one of our rules gets exactly that rule back
 * in the planned payload (exit 2). Nothing is written by plan.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save", "iptables-legacy-restore",
    "nfacct"})
class PlanLiveIT {
    private static final Path CASE = Path.of("test-fixtures/golden/clusterip");

    @ParameterizedTest
    @EnumSource(value = IptablesTool.class, names = {"NFT_V4", "LEGACY_V4"})
    void planAgainstTheLiveNode(IptablesTool tool) throws Exception {
        String backend = tool == IptablesTool.NFT_V4 ? "nft" : "legacy";
        String[] planArgs = {"plan", "--cluster", CASE.resolve("cluster.yaml").toString(), "--against", "live",
            "--iptables-backend", backend, "--hostname-override=node-a", "--cluster-cidr=10.244.0.0/16",
            "--output", "restore"};
        try (NetNs ns = NetNs.create()) {
            ns.runChecked("nfacct", "add", "localhost_nps_accepted_pkts");
            ns.runChecked("nfacct", "add", "ct_state_invalid_dropped_pkts");
            NetNs.Result load = ns.run(List.of(tool.restore), Files.readString(CASE.resolve("expected-v4.rules")));
            assertEquals(0, load.exitCode(), load.stderr());

            NetNs.Result same = SvcproxyJar.run(ns, planArgs);
            assertEquals(0, same.exitCode(), same.stderr() + same.stdout());
            assertEquals("", same.stdout());

            String dnat = ns.runChecked(tool.save, "-t", "nat").lines()
                    .filter(l -> l.startsWith("-A KUBE-SEP-") && l.contains("DNAT")).findFirst().orElseThrow();
            String before = ns.runChecked(tool.save);
            ns.runChecked(List.of(tool.restore, "--noflush"), "*nat\n-D" + dnat.substring(2) + "\nCOMMIT\n");

            NetNs.Result drift = SvcproxyJar.run(ns, planArgs);
            assertEquals(2, drift.exitCode(), drift.stderr());
            assertTrue(drift.stdout().contains(dnat.substring(dnat.indexOf(' ', 3) + 1)), drift.stdout());
            String chain = dnat.split(" ")[1];
            assertTrue(drift.stdout().contains(":" + chain + " - [0:0]"), "the damaged chain is rewritten");
            assertEquals(before.lines().filter(l -> l.startsWith("-A")).count() - 1,
                    ns.runChecked(tool.save).lines().filter(l -> l.startsWith("-A")).count(), "plan wrote nothing");
        }
    }
}
