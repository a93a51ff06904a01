package io.svcproxy.bench;

import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real-kernel scale harness still runs end to end at a tiny size (20 services, one run, a burst
 * of 20 changes, the dual-stack section), on both backends. No timing is asserted.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save", "iptables-legacy-restore",
    "ip6tables-nft-save", "ip6tables-nft-restore", "ip6tables-legacy-save", "ip6tables-legacy-restore", "nfacct"})
class ScaleBenchTest {

    @Test
    void runsEverySectionAtATinySize() {
        List<ScaleBench.Metric> rows = new ScaleBench(new ScaleBench.Config(20, 1,
                List.of(IptablesBackend.NFT, IptablesBackend.LEGACY), 20, 200, 60)).run();
        Set<String> sections = rows.stream().map(m -> m.csv()[0]).collect(Collectors.toSet());
        assertEquals(Set.of("a. first full sync", "b. partial sync", "c. verification read", "d. burst", "e. memory",
                "f. dual-stack"), sections);
        for (ScaleBench.Metric m : rows) {
            String[] csv = m.csv();
            assertEquals(ScaleBench.CSV_HEADER.length, csv.length);
            assertFalse(csv[6].isEmpty(), "every row has a value: " + String.join(",", csv));
        }
        assertTrue(rows.stream().anyMatch(m -> m.csv()[1].equals("network programming latency p99")
                && m.csv()[2].equals("legacy") && m.csv()[9].equals("20")), "all 20 burst changes reached the kernel");
        for (String backend : List.of("nft", "legacy")) {
            double v4 = bytes(rows, "first full sync: IPv4 part", backend);
            double v6 = bytes(rows, "first full sync: IPv6 part", backend);
            assertTrue(v4 > 0 && v6 > 0, "both families were synced on " + backend);
            assertTrue(bytes(rows, "pod added (an endpoint per family): svcproxy payload", backend) > 0);
            assertTrue(bytes(rows, "floor payload, both families", backend)
                    > bytes(rows, "pod added (an endpoint per family): svcproxy payload", backend));
        }
    }

    private static double bytes(List<ScaleBench.Metric> rows, String metric, String backend) {
        return rows.stream().filter(m -> m.csv()[0].equals("f. dual-stack") && m.csv()[1].equals(metric)
                && m.csv()[2].equals(backend)).mapToDouble(m -> Double.parseDouble(m.csv()[6])).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + metric + " on " + backend));
    }
}
