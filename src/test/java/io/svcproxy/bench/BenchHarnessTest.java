package io.svcproxy.bench;

import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the benchmarks runnable: each JMH benchmark's setup and every operation once at a tiny size,
 * and the report writer on a small CSV. No timing is asserted: a benchmark never fails a test on a time.
 */
class BenchHarnessTest {

    @Test
    void coreBenchmarkSetsUpAndRunsEveryOperationOnce() throws Exception {
        CoreBenchmark b = new CoreBenchmark();
        b.services = 20;
        b.setUp();
        assertEquals(20, b.snapshotFromObjects().services().size());
        assertEquals(b.plan.desired(), b.render().desired());
        assertFalse(b.diffAgainstEmpty().isEmpty());
        assertFalse(b.diffOneEndpoint().isEmpty());
        assertFalse(b.renderAndDiffOneEndpoint().isEmpty());
        assertTrue(b.rememberStateOneEndpoint().table("nat").chains().keySet()
                .containsAll(b.planOneEndpointMore.desired().table("nat").chains().keySet()));
        assertTrue(b.payloadFull() > b.payloadOneEndpoint());
        assertTrue(b.payloadOneEndpoint() > 0);
        assertTrue(b.payloadComplete() > 0);
        assertEquals(b.plan.desired().table("nat").chains().keySet(),
                b.parseSave().table("nat").chains().keySet());
    }

    @Test
    void netlinkBenchmarkRoundTrips() {
        NetlinkBenchmark b = new NetlinkBenchmark();
        b.setUp();
        assertEquals(53, b.decode().original().destinationPort());
        assertTrue(b.encodeDelete().length > 16);
        assertEquals(b.encodeDelete().length, b.roundTrip().length);
    }

    @Test
    void upstreamStylePayloadRewritesSharedChainsAndOnlyTheChangedService() {
        var base = BenchCluster.snapshot(5);
        var svc = BenchCluster.name(2);
        var opts = io.svcproxy.plan.PlannerOptions.defaults(IpFamily.V4, BenchCluster.NODE);
        var before = io.svcproxy.plan.IptablesPlanner.plan(base, opts);
        var after = io.svcproxy.plan.IptablesPlanner.plan(BenchCluster.withExtraEndpoint(base, svc, 0), opts);
        String payload = ScaleBench.upstreamPartial(before, after, svc);
        assertTrue(payload.contains(":KUBE-SERVICES - [0:0]"));
        assertTrue(payload.contains("ns/svc2:http"));
        assertFalse(payload.contains("ns/svc1:http -j KUBE-SEP"), "another service's chains are not written");
        String removed = ScaleBench.upstreamPartial(after, before, svc);
        assertTrue(removed.contains("-X KUBE-SEP-"), "the removed endpoint's chain is deleted");
    }

    @Test
    void reportIsWrittenFromTheRunsCsvs(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        String header = String.join(",", ScaleBench.CSV_HEADER) + "\n";
        Files.writeString(work.resolve("jmh.csv"), header
                + "jmh,CoreBenchmark.render,,20,10,ms/op,1.5,1.2,1.9,5,0.5,\"1 fork, 3x1s warmup\"\n");
        Files.writeString(work.resolve("scale-20.csv"), header
                + "a. first full sync,\"" + ScaleBench.FULL_SYNC + "\",nft,20,10,ms,50,40,60,5,0.5,x\n"
                + "a. first full sync,floor: plain iptables-restore of the complete payload,nft,20,10,ms,25,20,30,5,0.5,\n");
        BenchReport.write(work, dir.resolve("docs"));
        String md = Files.readString(dir.resolve("docs/benchmarks.md"));
        assertTrue(md.contains("| 20 | nft | 5 | 50 | 25 | 2.0x |"), md);
        assertTrue(md.contains("| CoreBenchmark.render | ms/op | 1.5 (1.2 to 1.9) |"), md);
        List<String> csv = Files.readAllLines(dir.resolve("docs/benchmarks.csv"));
        assertEquals(4, csv.size());
        assertNotNull(BenchReport.split(csv.get(2)).get(1));
        assertEquals(ScaleBench.FULL_SYNC, BenchReport.split(csv.get(2)).get(1));
    }
}
