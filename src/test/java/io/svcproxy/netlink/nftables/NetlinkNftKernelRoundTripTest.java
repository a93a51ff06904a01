package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encode and decode against the kernel, with nft as the oracle: the ruleset real kube-proxy v1.36
 * installed is loaded by nft into one namespace, read with our decoder, written with our encoder
 * into a second namespace, and nft must list the second exactly as the reference; re-reading the
 * second gives the same model.
 */
@KernelTest(tools = "nft")
class NetlinkNftKernelRoundTripTest {
    /** mix-2 is kept in the fixtures (what kube-proxy installed, copied verbatim); the others are read where present. */
    static final Path FIXTURE = Path.of("test-fixtures/netlink/nftables/kube-proxy-v1.36.2-mix-2-ruleset.nft");
    static final Path REFERENCE = Path.of("test-fixtures/reference/kube-proxy-v1.36.2/sets");

    @ParameterizedTest
    @ValueSource(strings = {"mix-2", "mix-1", "mix-3"})
    void kubeProxyReferenceRulesetSurvivesReadAndWrite(String mix) throws IOException {
        Path file = mix.equals("mix-2") ? FIXTURE : REFERENCE.resolve(mix).resolve("nft-ruleset.txt");
        org.junit.jupiter.api.Assertions.assertTrue(Files.exists(file), "reference ruleset " + file + " missing");
        String reference = Files.readString(file);
        try (NetNs source = NetNs.create(); NetNs target = NetNs.create()) {
            source.runChecked(List.of("nft", "-f", "-"), reference);
            List<NftTable> read = new ArrayList<>();
            try (NetlinkNftKernel k = NetlinkNftKernel.over(NetnsSockets.netfilter(source).get())) {
                for (NftFamily f : NftFamily.values()) {
                    read.add(k.read(f, "kube-proxy").orElseThrow());
                }
            }
            assertTrue(read.get(0).ruleCount() > 100, "rules read: " + read.get(0).ruleCount());
            assertEquals(List.of(), otherExpressions(read), "every expression of kube-proxy's rules decodes");
            assertTrue(anonymousSets(read.get(0)) > 10, "anonymous sets resolved into lookups");
            List<NftOp> ops = new ArrayList<>();
            for (NftTable t : read) {
                ops.addAll(NftTableOps.create(t));
            }
            try (NetlinkNftKernel k = NetlinkNftKernel.over(NetnsSockets.netfilter(target).get())) {
                k.apply(ops);
                for (NftTable t : read) {
                    assertEquals(t, k.read(t.family(), t.name()).orElseThrow(), "re-read of " + t.family());
                }
            }
            String listed = target.runChecked("nft", "list", "ruleset");
            assertEquals(NftRulesetText.normalize(reference), NftRulesetText.normalize(listed));
        }
    }

    static List<String> otherExpressions(List<NftTable> tables) {
        List<String> out = new ArrayList<>();
        for (NftTable t : tables) {
            t.chains().values().forEach(c -> c.rules().forEach(r -> r.exprs().forEach(e -> {
                if (e instanceof NftExpr.Other o) {
                    out.add(c.name() + ": " + o.name());
                }
            })));
        }
        return out;
    }

    static long anonymousSets(NftTable t) {
        return t.chains().values().stream().flatMap(c -> c.rules().stream()).flatMap(r -> r.exprs().stream())
                .filter(e -> e instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Anonymous).count();
    }
}
