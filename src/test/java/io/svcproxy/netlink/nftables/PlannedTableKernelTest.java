package io.svcproxy.netlink.nftables;

import io.svcproxy.cli.NftablesOptionsFactory;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.nftables.NftDiff;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.plan.nftables.NftablesOptions;
import io.svcproxy.plan.nftables.NftablesPlanner;
import io.svcproxy.source.ClusterFileSource;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The planner, the diff and the codec together against the kernel: the tables planned from the
 * reference cluster's objects, written through netlink, list in nft exactly as what real kube-proxy
 * installed, and read back equal to the plan (the model contract: a planned rule and the same rule
 * read from the kernel compare equal). The planner's object order is not kube-proxy's, so per-service
 * sets and chains are compared sorted by name.
 */
@KernelTest(tools = "nft")
class PlannedTableKernelTest {
    static final String NODE = "k8sref-node";
    /** mix-2's objects and ruleset are kept in the fixtures (verbatim copies), the other mixes read where present. */
    static final Path FIXTURES = Path.of("test-fixtures/netlink/nftables");

    @ParameterizedTest
    @ValueSource(strings = {"mix-1", "mix-2", "mix-3"})
    void plannedTablesWrittenByTheCodecAreWhatKubeProxyInstalled(String mix) throws IOException {
        Path dir = NetlinkNftKernelRoundTripTest.REFERENCE.resolve(mix);
        Path objects = mix.equals("mix-2") ? FIXTURES.resolve("kube-proxy-v1.36.2-mix-2-objects.yaml")
                : dir.resolve("objects.yaml");
        Path ruleset = mix.equals("mix-2") ? NetlinkNftKernelRoundTripTest.FIXTURE : dir.resolve("nft-ruleset.txt");
        assumeTrue(Files.isRegularFile(objects) && Files.isRegularFile(ruleset), "reference not present: " + dir);
        List<NftTable> planned = plan(objects);
        List<NftOp> ops = new ArrayList<>();
        for (NftTable t : planned) {
            ops.addAll(NftDiff.diff(null, t).ops());
        }
        try (NetNs ns = NetNs.create(); NetlinkNftKernel k = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
            k.apply(ops);
            String listed = ns.runChecked("nft", "list", "ruleset");
            Path out = Path.of("target", "nft-codec", mix + "-listed.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, NftRulesetText.normalizeObjectOrder(listed));
            Files.writeString(out.resolveSibling(mix + "-reference.txt"),
                    NftRulesetText.normalizeObjectOrder(Files.readString(ruleset)));
            assertEquals(NftRulesetText.normalizeObjectOrder(Files.readString(ruleset)),
                    NftRulesetText.normalizeObjectOrder(listed), mix + ": nft lists our tables as kube-proxy's");
            for (NftTable t : planned) {
                NftTable read = k.read(t.family(), t.name()).orElseThrow();
                for (NftChain c : t.chains().values()) {
                    assertEquals(c, read.chains().get(c.name()), mix + " " + t.family() + " chain " + c.name());
                }
                assertEquals(t.sets(), read.sets(), mix + " " + t.family() + " sets");
                assertEquals(t, read, mix + " " + t.family());
            }
        }
    }

    /**
     * One cluster's tables turned into another's by diffs against what the kernel holds, as the
     * syncer does: each sync reads, diffs and applies; what the kernel holds after each batch is
     * what the diff said it would leave, and within a few syncs (stale chains go a sync after they
     * are emptied) it is the new plan, listed by nft as kube-proxy's own.
     */
    @org.junit.jupiter.api.Test
    void diffsAppliedThroughTheCodecTurnOneClusterIntoAnother() throws IOException {
        Path mix3 = NetlinkNftKernelRoundTripTest.REFERENCE.resolve("mix-3");
        assumeTrue(Files.isRegularFile(mix3.resolve("objects.yaml")), "reference not present: " + mix3);
        List<NftTable> from = plan(FIXTURES.resolve("kube-proxy-v1.36.2-mix-2-objects.yaml"));
        List<NftTable> to = plan(mix3.resolve("objects.yaml"));
        try (NetNs ns = NetNs.create(); NetlinkNftKernel k = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
            for (NftTable t : from) {
                k.apply(NftDiff.diff(null, t).ops());
            }
            for (int i = 0; i < to.size(); i++) {
                NftTable want = to.get(i);
                int syncs = 0;
                while (true) {
                    NftTable now = k.read(want.family(), want.name()).orElseThrow();
                    io.svcproxy.diff.nftables.NftChanges changes = NftDiff.diff(now, want);
                    if (changes.isEmpty()) {
                        break;
                    }
                    k.apply(changes.ops());
                    assertEquals(changes.after(), k.read(want.family(), want.name()).orElseThrow(),
                            "the kernel holds what the diff said it leaves, sync " + syncs);
                    syncs++;
                    org.junit.jupiter.api.Assertions.assertTrue(syncs <= 3, "converges within 3 syncs");
                }
                assertEquals(want, k.read(want.family(), want.name()).orElseThrow());
            }
            assertEquals(NftRulesetText.normalizeObjectOrder(Files.readString(mix3.resolve("nft-ruleset.txt"))),
                    NftRulesetText.normalizeObjectOrder(ns.runChecked("nft", "list", "ruleset")));
        }
    }

    static List<NftTable> plan(Path objects) {
        ClusterSnapshot snapshot = new ClusterFileSource(objects, NODE).load();
        ProxyConfig config = ProxyConfig.builder().hostnameOverride(NODE).clusterCidrs("10.244.0.0/16").build();
        List<NftablesOptions> families = new ArrayList<>();
        for (IpFamily f : IpFamily.values()) {
            families.add(NftablesOptionsFactory.create(config, f, snapshot.node().orElse(null), List.of(), false,
                    List.of(Cidr.parse("10.96.0.0/16"))));
        }
        return NftablesPlanner.plan(snapshot, families).tables();
    }
}
