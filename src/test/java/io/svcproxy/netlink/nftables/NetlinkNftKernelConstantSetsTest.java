package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read reuses the elements of the anonymous constant sets an earlier read saw (same table, same
 * set handle), and still sees a rule replaced since, with its new anonymous map: the reuse never
 * returns stale contents.
 */
@KernelTest(tools = "nft")
class NetlinkNftKernelConstantSetsTest {
    @Test
    void aSecondReadReusesConstantSetsAndSeesReplacedOnes() throws IOException {
        String reference = Files.readString(NetlinkNftKernelRoundTripTest.FIXTURE);
        try (NetNs ns = NetNs.create();
             NetlinkNftKernel kernel = NetlinkNftKernel.over(NetnsSockets.netfilter(ns).get())) {
            ns.runChecked(List.of("nft", "-f", "-"), reference);
            NftTable first = kernel.read(NftFamily.IP, "kube-proxy").orElseThrow();
            int remembered = kernel.constantSetsRemembered();
            assertTrue(remembered > 10, "anonymous maps remembered: " + remembered);
            assertEquals(first, kernel.read(NftFamily.IP, "kube-proxy").orElseThrow(), "a second read, same table");

            // Replace one service chain's DNAT rule by the same rule whose anonymous map lost an element.
            NftChain chain = first.chains().values().stream()
                    .filter(c -> c.rules().stream().anyMatch(r -> anonymousElements(r) > 1)).findFirst().orElseThrow();
            NftRule rule = chain.rules().stream().filter(r -> anonymousElements(r) > 1).findFirst().orElseThrow();
            NftRule smaller = withoutFirstElement(rule);
            List<NftOp> ops = new java.util.ArrayList<>(List.of(new NftOp.FlushChain(NftFamily.IP, "kube-proxy",
                    chain.name())));
            for (NftRule r : chain.rules()) {
                ops.add(new NftOp.AddRule(NftFamily.IP, "kube-proxy", chain.name(), r == rule ? smaller : r));
            }
            kernel.apply(ops);
            NftTable third = kernel.read(NftFamily.IP, "kube-proxy").orElseThrow();
            assertNotEquals(first.chains().get(chain.name()), third.chains().get(chain.name()));
            assertTrue(third.chains().get(chain.name()).rules().contains(smaller), "the new map is read, not the old one");
            assertEquals(remembered, kernel.constantSetsRemembered(), "one set replaced by one: memory follows the table");
        }
    }

    private static int anonymousElements(NftRule r) {
        return r.exprs().stream().filter(e -> e instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Anonymous)
                .mapToInt(e -> ((NftExpr.Anonymous) ((NftExpr.Lookup) e).set()).set().elements().size()).max().orElse(0);
    }

    private static NftRule withoutFirstElement(NftRule r) {
        List<NftExpr> exprs = new java.util.ArrayList<>();
        for (NftExpr e : r.exprs()) {
            if (e instanceof NftExpr.Lookup l && l.set() instanceof NftExpr.Anonymous a && a.set().elements().size() > 1) {
                var els = a.set().elements();
                // a numgen map keyed 0..n-1: drop the last key so the map stays dense
                exprs.add(new NftExpr.Lookup(new NftExpr.Anonymous(a.set().withElements(els.subList(0, els.size() - 1))),
                        l.sreg(), l.dreg(), l.flags()));
            } else {
                exprs.add(e);
            }
        }
        return new NftRule(exprs, r.comment());
    }
}
