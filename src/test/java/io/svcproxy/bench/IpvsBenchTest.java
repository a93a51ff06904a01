package io.svcproxy.bench;

import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.netlink.ipvs.ClientIpvsKernel;
import io.svcproxy.netlink.ipvs.FakeIpvsClient;
import io.svcproxy.netlink.ipvs.FakeKubeIpvsInterface;
import io.svcproxy.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPVS harness end to end on this host at a tiny size: the real ipset tool and iptables glue in a
 * fresh namespace, IPVS itself in memory (this kernel has none; BenchMain runs the real one in the
 * IPVS VM). Checks the counts the report relies on, not times.
 */
@KernelTest(tools = {"ipset", "iptables-nft-save", "iptables-nft-restore", "nfacct"})
class IpvsBenchTest {

    @Test
    void measuresTheFullSyncPartsAndCountsTheMessagesOfOneEndpointChange() {
        List<ScaleBench.Metric> rows = new IpvsBench(List.of(20), 1, IptablesBackend.NFT, 60,
                ns -> new ClientIpvsKernel(new FakeIpvsClient(), new FakeKubeIpvsInterface()), false).run();
        Map<String, String[]> byMetric = rows.stream().map(ScaleBench.Metric::csv)
                .collect(Collectors.toMap(r -> r[1], Function.identity()));
        for (String[] r : byMetric.values()) {
            assertEquals(IpvsBench.SECTION, r[0]);
            assertEquals("ipvs/nft", r[2]);
            assertEquals("1", r[9], String.join(",", r));
        }
        // 20 services + 200 destinations + 20 cluster IPs bound to kube-ipvs0.
        assertEquals("240", byMetric.get("first full sync: IPVS operations")[6]);
        // The full sync reads first: 1 service dump (nothing to dump per service yet), then 220 requests.
        assertEquals("221", byMetric.get("first full sync: IPVS generic netlink requests")[6]);
        assertEquals("21", byMetric.get("first full sync: kube-ipvs0 rtnetlink requests")[6]);
        assertEquals("1", byMetric.get("endpoint added: IPVS generic netlink requests")[6]);
        assertEquals("0", byMetric.get("endpoint added: kube-ipvs0 rtnetlink requests")[6]);
        // A removed TCP destination: only its service's destinations are read (1 dump), then one delete.
        assertEquals("2", byMetric.get("endpoint removed: IPVS generic netlink requests")[6]);
        assertEquals("0", byMetric.get("endpoint removed: kube-ipvs0 rtnetlink requests")[6]);
        for (String part : List.of("plan (IpvsPlanner)", "ipsets (ipset save + restore)",
                "iptables glue (iptables-save + restore)", "IPVS + kube-ipvs0 over netlink (dump + ops)")) {
            assertTrue(Double.parseDouble(byMetric.get("first full sync: " + part)[6]) > 0, part);
        }
        assertTrue(byMetric.keySet().stream().noneMatch(m -> m.startsWith("floor")), "no floor without IPVS");
    }
}
