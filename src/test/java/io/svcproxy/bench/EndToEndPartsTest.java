package io.svcproxy.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The end-to-end bench's pure parts: reading dumps, /proc, the metrics histogram, the reference's table. */
class EndToEndPartsTest {

    @Test
    void aDumpAnswersForExactAddressesOnly() {
        KernelDump iptables = new KernelDump("""
                -A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-ABC
                -A KUBE-SEP-X -p tcp -m tcp -j DNAT --to-destination 10.100.0.1:8080
                """);
        assertTrue(iptables.hasAddress("10.96.0.1"));
        assertFalse(iptables.hasAddress("10.96.0.10"));
        assertTrue(iptables.hasDestination("10.100.0.1", 8080));
        assertFalse(iptables.hasDestination("10.100.0.1", 80));
        assertFalse(iptables.hasDestination("10.100.0.11", 8080));
        assertEquals(1, iptables.dnatCount());
        KernelDump nft = new KernelDump("elements = { 10.96.0.1 . tcp . 80 : goto service-x }\n"
                + " ip daddr set dnat to 10.100.0.1:8080");
        assertTrue(nft.hasAddress("10.96.0.1"));
        assertTrue(nft.hasDestination("10.100.0.1", 8080));
        KernelDump numgen = new KernelDump("meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.100.0.2 . 8080, "
                + "1 : 10.100.0.3 . 8080 }");
        assertTrue(numgen.hasDestination("10.100.0.2", 8080));
        assertTrue(numgen.hasDestination("10.100.0.3", 8080));
        assertFalse(numgen.hasDestination("10.100.0.2", 80));
        KernelDump ipvs = new KernelDump("-A -t 10.96.0.1:80 -s rr\n-a -t 10.96.0.1:80 -r 10.100.0.1:8080 -m -w 1\n");
        assertTrue(ipvs.hasAddress("10.96.0.1"));
        assertTrue(ipvs.hasDestination("10.100.0.1", 8080));
        assertFalse(ipvs.hasAddress("10.96.0.10"));
    }

    @Test
    void procStatsAddTheChildrenItWaitedFor() {
        String stat = "4242 (java thing) S 1 2 3 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 40 0 5 0 0";
        ProcStats s = ProcStats.parse(stat, "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n");
        assertEquals(3.0, s.ownCpuSeconds(), 1e-9);
        assertEquals(0.5, s.childCpuSeconds(), 1e-9);
        assertEquals(3.5, s.cpuSeconds(), 1e-9);
        assertEquals(200, s.peakRssMiB(), 1e-9);
        assertEquals(100, s.rssMiB(), 1e-9);
    }

    @Test
    void histogramQuantilesOfTheDifferenceOfTwoScrapes() {
        String before = """
                # TYPE kubeproxy_network_programming_duration_seconds histogram
                kubeproxy_network_programming_duration_seconds_bucket{ip_family="IPv4",le="0.5"} 1
                kubeproxy_network_programming_duration_seconds_bucket{ip_family="IPv4",le="1.0"} 1
                kubeproxy_network_programming_duration_seconds_bucket{ip_family="IPv4",le="+Inf"} 1
                kubeproxy_network_programming_duration_seconds_count{ip_family="IPv4"} 1
                kubeproxy_network_programming_duration_seconds_sum{ip_family="IPv4"} 0.2
                """;
        String after = before.replace("le=\"0.5\"} 1", "le=\"0.5\"} 3").replace("le=\"1.0\"} 1", "le=\"1.0\"} 5")
                .replace("le=\"+Inf\"} 1", "le=\"+Inf\"} 5")
                .replace("_count{ip_family=\"IPv4\"} 1", "_count{ip_family=\"IPv4\"} 5");
        PromHistogram d = PromHistogram.parse(after, PackagedProxy.NETWORK_PROGRAMMING)
                .minus(PromHistogram.parse(before, PackagedProxy.NETWORK_PROGRAMMING));
        assertEquals(4, d.count(), 1e-9);
        assertEquals(0.5, d.quantile(0.5), 1e-9);   // 2 of 4 in (0, 0.5]
        assertEquals(0.75, d.quantile(0.75), 1e-9);  // halfway into (0.5, 1.0]
        assertTrue(Double.isNaN(PromHistogram.parse("", "x").quantile(0.5)));
    }

    @Test
    void theReferenceTableIsReadAsWritten() {
        var rows = UpstreamReference.parse("""
                | size | first full sync | 1-endpoint change | new service visible | RSS |
                |---|---|---|---|---|
                | 1,000 | 4.25 s | 0.112 s | 1.21 s | 89-90 MiB |
                | 10,000 | about 61 min (3,655 s, one `iptables-restore --noflush`) | 1.055 s | 3.22 s | 375-452 MiB |
                | 10,000, nftables mode | 23.6 s | 4.83 s (4.1 s of it `nft --json list table`) | 10.26 s | 279-500 MiB |
                | 10,000, iptables-legacy backend | 8.0 s | 1.68 s | 4.55 s | 314-490 MiB |

                Notes: ...
                """);
        var one = rows.get("1000|iptables/nft");
        assertEquals(4.25, one.firstSyncSeconds(), 1e-9);
        assertEquals(0.112, one.endpointChangeSeconds(), 1e-9);
        assertEquals(1.21, one.newServiceSeconds(), 1e-9);
        assertEquals(89, one.rssMinMiB(), 1e-9);
        assertEquals(90, one.rssMaxMiB(), 1e-9);
        assertEquals(3655, rows.get("10000|iptables/nft").firstSyncSeconds(), 1e-9);
        assertEquals(4.83, rows.get("10000|nftables").endpointChangeSeconds(), 1e-9);
        assertEquals(8.0, rows.get("10000|iptables/legacy").firstSyncSeconds(), 1e-9);
        assertEquals(4, rows.size());
    }

    @Test
    void aModeTheJarDoesNotOfferIsSkippedWithItsReason() {
        String help = "  [--proxy-mode=iptables|ipvs] [--sync-period=DURATION]\n      --proxy-mode=iptables|ipvs\n";
        assertEquals("iptables|ipvs", EndToEndMode.proxyModeValues(help));
        assertTrue(EndToEndMode.NFTABLES.unavailable(help).orElseThrow().contains("no --proxy-mode nftables"));
        assertTrue(EndToEndMode.NFTABLES.unavailable(help.replace("iptables|ipvs", "iptables|ipvs|nftables")).isEmpty());
        assertTrue(EndToEndMode.IPTABLES_NFT.unavailable(help).isEmpty());
        assertEquals(List.of("iptables-nft", "-w", "-t", "nat", "-S", "KUBE-SERVICES"),
                EndToEndMode.IPTABLES_NFT.chainArgv("KUBE-SERVICES").orElseThrow());
        assertTrue(EndToEndMode.NFTABLES.chainArgv("x").isEmpty());
        assertEquals(EndToEndMode.IPTABLES_LEGACY, EndToEndMode.parse("iptables/legacy"));
    }
}
