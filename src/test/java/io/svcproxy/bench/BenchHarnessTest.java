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
        for (int i = 0; i < 4; i++) {
            assertTrue(b.partialSyncOneEndpoint() > 0, "every call writes its change");
            assertEquals(io.svcproxy.plan.IptablesPlanner.plan(b.incrementalPlus ? b.oneEndpointMore : b.snapshot,
                    b.options).desired(), b.incrementalLast.desired());
        }
        assertTrue(io.svcproxy.diff.RulesetDiff.diff(b.incrementalKnown, b.incrementalLast).isEmpty());
        var one = b.snapshotOneSliceChanged();
        var other = b.snapshotOneSliceChanged();
        assertEquals(io.svcproxy.source.SnapshotBuilder.build(b.k8sServices, b.slicesB, java.util.Optional.empty(),
                BenchCluster.NODE), one);
        assertEquals(b.snapshot, other);
    }

    @Test
    void dualStackBenchmarkSetsUpAndRunsEveryOperationOnce() throws Exception {
        DualStackBenchmark b = new DualStackBenchmark();
        b.services = 20;
        b.setUp();
        assertEquals(20, b.snapshotFromObjects().services().size());
        List<io.svcproxy.plan.IptablesPlan> plans = b.render();
        assertEquals(List.of(IpFamily.V4, IpFamily.V6), plans.stream().map(p -> p.desired().family()).toList());
        assertTrue(SaveWriterText.of(plans.get(1)).contains("fd00:96::1/128"), "the IPv6 plan has the IPv6 cluster IP");
        assertTrue(SaveWriterText.of(plans.get(1)).contains("fd00:100::"), "and the IPv6 endpoints");
        assertFalse(SaveWriterText.of(plans.get(0)).contains("fd00:"), "the IPv4 plan has no IPv6 address");
        assertEquals(2, b.diffAgainstEmpty().size());
        assertTrue(b.diffOnePod().stream().noneMatch(io.svcproxy.diff.ChangeSet::isEmpty), "the pod changes both families");
        assertEquals(2, b.renderAndDiffOnePod().size());
        assertTrue(b.payloadFull() > b.payloadOnePod());
        assertTrue(b.payloadOnePod() > 0);
    }

    @Test
    void dualStackClusterFromFabric8ObjectsEqualsTheGeneratedSnapshot() {
        var fromObjects = io.svcproxy.source.SnapshotBuilder.build(BenchCluster.services(7, true),
                BenchCluster.slices(7, true), java.util.Optional.empty(), BenchCluster.NODE);
        var generated = BenchCluster.dualStackSnapshot(7);
        assertEquals(generated.services(), fromObjects.services());
        for (var name : generated.services().keySet()) {
            assertEquals(new java.util.HashSet<>(generated.endpointsOf(name)),
                    new java.util.HashSet<>(fromObjects.endpointsOf(name)), name.toString());
        }
        var svc = BenchCluster.name(3);
        var plus = BenchCluster.withExtraPod(generated, svc, 0);
        assertEquals(generated.endpointsOf(svc).size() + 2, plus.endpointsOf(svc).size());
        assertEquals(java.util.Set.of(IpFamily.V4, IpFamily.V6), plus.endpointsOf(svc).stream()
                .filter(e -> !generated.endpointsOf(svc).contains(e)).map(io.svcproxy.model.Endpoint::family)
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void ipvsadmRestoreTextListsEveryServiceAndDestination() {
        var plan = io.svcproxy.plan.ipvs.IpvsPlanner.plan(BenchCluster.snapshot(2), io.svcproxy.plan.ipvs.IpvsOptions
                .defaults(io.svcproxy.plan.PlannerOptions.defaults(IpFamily.V4, BenchCluster.NODE)));
        List<String> lines = IpvsBench.ipvsadmText(plan.ipvs()).lines().toList();
        assertEquals(2 + 2 * BenchCluster.ENDPOINTS, lines.size(), String.join("\n", lines));
        assertTrue(lines.contains("-A -t 10.96.0.1:80 -s rr"), String.join("\n", lines));
        assertTrue(lines.contains("-a -t 10.96.0.1:80 -r 10.100.0.1:8080 -m -w 1"), String.join("\n", lines));
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
        assertFalse(md.contains("## IPVS mode"), "no IPVS table without IPVS rows");
        assertNotNull(BenchReport.split(csv.get(2)).get(1));
        assertEquals(ScaleBench.FULL_SYNC, BenchReport.split(csv.get(2)).get(1));
    }

    @Test
    void reportRendersTheDualStackIpvsAndMemoryRows(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        String header = String.join(",", ScaleBench.CSV_HEADER) + "\n";
        Files.writeString(work.resolve("scale-20.csv"), header
                + "f. dual-stack,\"first full sync, both families: svcproxy, staged\",nft,20,10,ms,90,80,100,5,0.5,x\n"
                + "f. dual-stack,first full sync: IPv4 part,nft,20,10,ms,50,40,60,5,0.5,\n"
                + "f. dual-stack,first full sync: IPv6 part,nft,20,10,ms,40,40,60,5,0.5,\n"
                + "f. dual-stack,floor: plain iptables-restore + ip6tables-restore of both complete payloads,nft,20,10,ms,"
                + "30,20,40,5,0.5,\n"
                + "f. dual-stack,pod added (an endpoint per family): svcproxy,nft,20,10,ms,12,10,14,5,0.5,\n"
                + "f. dual-stack,pod added (an endpoint per family): svcproxy payload,nft,20,10,bytes,2800,2800,2800,5,0.5,\n");
        String g = IpvsBench.SECTION;
        Files.writeString(work.resolve("ipvs.csv"), header
                + g + ",\"first full sync: svcproxy (IpvsSyncer), total\",ipvs/nft,20,10,ms,400,300,500,5,1,vm\n"
                + g + ",first full sync: IPVS + kube-ipvs0 over netlink (dump + ops),ipvs/nft,20,10,ms,100,90,110,5,1,\n"
                + g + ",first full sync: IPVS generic netlink requests,ipvs/nft,20,10,messages,221,221,221,5,1,\n"
                + g + ",first full sync: kube-ipvs0 rtnetlink requests,ipvs/nft,20,10,messages,21,21,21,5,1,\n"
                + g + ",floor: total of the four,ipvs/nft,20,10,ms,200,190,210,5,1,\n"
                + g + ",floor: ipvsadm-restore of the same services and destinations,ipvs/nft,20,10,ms,50,40,60,5,1,\n"
                + g + ",endpoint added: svcproxy (IpvsSyncer),ipvs/nft,20,10,ms,30,20,40,5,1,\n");
        String h = MemoryBench.SECTION;
        Files.writeString(work.resolve("memory.csv"), header
                + h + ",first full sync,nft,20,10,ms,700,,,1,1,JVM flags: -XX:+UseSerialGC -Xmx64m\n"
                + h + ",peak RSS (VmHWM),nft,20,10,MiB,99.5,,,1,1,JVM flags: -XX:+UseSerialGC -Xmx64m\n"
                + h + ",peak RSS (VmHWM),nft,20,10,MiB,120,,,1,1,JVM flags: -Xmx2g\n"
                + h + ",first full sync,nft,20,10,ms,,,,1,1,JVM flags: -Xmx4m; FAILED: the JVM exited 3 (OutOfMemoryError)\n");
        Files.writeString(work.resolve(BenchMain.SKIPPED_FILE), "- IPVS phase (g) SKIPPED: for the test\n");
        BenchReport.write(work, dir.resolve("docs"));
        String md = Files.readString(dir.resolve("docs/benchmarks.md"));
        assertTrue(md.contains("| 20 | nft | 5 | 90 | 50 | 40 | 30 | 3.0x | 12 | 2800 |"), md);
        assertTrue(md.contains("| 20 | ipvs/nft | 5 | 400 | n/a | n/a | n/a | 100 | n/a | 200 | 2.0x | 2.0x | 242 |"), md);
        assertTrue(md.contains("| 20 | `-XX:+UseSerialGC -Xmx64m` | 700 | n/a | 99.5 |"), md);
        assertTrue(md.contains("| 20 | `-Xmx2g` | n/a | n/a | 120 |"), md);
        assertTrue(md.contains("| 20 | `-Xmx4m` | **failed**: the JVM exited 3 (OutOfMemoryError) |"), md);
        assertTrue(md.contains("IPVS phase (g) SKIPPED: for the test"), md);
        assertTrue(md.contains("### " + g) && md.contains("### " + h) && md.contains("### f. dual-stack"), md);
        assertEquals(1 + 6 + 7 + 4, Files.readAllLines(dir.resolve("docs/benchmarks.csv")).size());
    }

    /** The rules of a plan as iptables-save text, for substring checks. */
    private static final class SaveWriterText {
        static String of(io.svcproxy.plan.IptablesPlan plan) {
            return io.svcproxy.iptables.SaveWriter.toText(plan.desired());
        }
    }
}
