package io.svcproxy.plan.nftables;

import io.svcproxy.apply.nftables.NftTableSyncer;
import io.svcproxy.diff.nftables.NftDiff;
import io.svcproxy.netlink.nftables.NetlinkNftKernel;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftTable;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against upstream, through the kernel: for each reference set, (1) our plan written by our netlink
 * code into a fresh namespace is what nft lists for the node kube-proxy v1.36.2 programmed (handles
 * and element order aside), and (2) on a namespace holding exactly kube-proxy's ruleset, our first
 * (full) sync reads it and finds nothing to change: the takeover of a kube-proxy nftables node costs
 * zero messages.
 */
@KernelTest(tools = "nft")
class NftReferenceKernelTest {

    @ParameterizedTest
    @ValueSource(strings = {"mix-1", "mix-2", "mix-3"})
    void ourTablesWrittenThroughNetlinkListAsKubeProxysDid(String set) throws IOException {
        Path dir = NftParityTest.REFERENCE.resolve(set);
        String reference = Files.readString(dir.resolve("nft-ruleset.txt"));
        List<NftTable> tables = NftParityTest.plan(dir.resolve("objects.yaml")).tables();
        List<NftOp> ops = new ArrayList<>();
        tables.forEach(t -> ops.addAll(NftDiff.diff(null, t).ops()));
        try (NetNs ns = NetNs.create();
             NetlinkNftKernel kernel = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
            kernel.apply(ops);
            String listed = ns.runChecked("nft", "list", "ruleset");
            assertEquals(NftRulesetNormalizer.normalize(reference), NftRulesetNormalizer.normalize(listed), set);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mix-1", "mix-2", "mix-3"})
    void takingOverKubeProxysNodeChangesNothing(String set) throws IOException {
        Path dir = NftParityTest.REFERENCE.resolve(set);
        List<NftTable> tables = NftParityTest.plan(dir.resolve("objects.yaml")).tables();
        try (NetNs ns = NetNs.create();
             NetlinkNftKernel kernel = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
            ns.runChecked(List.of("nft", "-f", "-"), Files.readString(dir.resolve("nft-ruleset.txt")));
            String before = ns.runChecked("nft", "list", "ruleset");
            for (NftTable t : tables) {
                NftTable actual = kernel.read(t.family(), t.name()).orElseThrow();
                List<NftOp> ops = NftDiff.diff(actual, t).ops();
                System.out.println("[takeover " + set + " " + t.family().keyword() + "] ops: " + ops.size());
                assertEquals(List.of(), ops.stream().map(NftOpsText::summary).toList(), set + " " + t.family());
                NftTableSyncer.Result r = new NftTableSyncer(t.family(), t.name(), kernel).sync(t, true);
                assertTrue(r.full());
                assertFalse(r.changed());
            }
            assertEquals(before, ns.runChecked("nft", "list", "ruleset"), "nothing of kube-proxy's ruleset was touched");
        }
    }
}
