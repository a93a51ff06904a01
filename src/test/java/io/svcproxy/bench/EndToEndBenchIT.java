package io.svcproxy.bench;

import io.svcproxy.it.SvcproxyJar;
import io.svcproxy.testing.KernelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps `make bench`'s end-to-end phase runnable ({@code mvn verify}): one short run at 20 services
 * on both iptables backends with the packaged jar and bin/svcproxy, a 2-second burst. Asserts only
 * that every measurement happened and the rules appeared, never a time.
 */
@KernelTest(tools = {"iptables-nft", "iptables-nft-save", "iptables-legacy", "iptables-legacy-save", "socat", "curl", "ss"})
class EndToEndBenchIT {
    @TempDir
    Path dir;

    @Test
    void everyMeasurementHappensInEveryModeHereAtATinySize() throws Exception {
        Path csv = dir.resolve("e2e-20.csv");
        Path skipped = dir.resolve("skipped.md");
        List<EndToEndMode> modes = List.of(EndToEndMode.IPTABLES_NFT, EndToEndMode.IPTABLES_LEGACY, EndToEndMode.NFTABLES);
        new EndToEndBench(new EndToEndBench.Config(20, 1, modes, 5, Duration.ofSeconds(2), Path.of("bin/svcproxy"),
                SvcproxyJar.JAR, csv, skipped, dir.resolve("logs"), 20, 2)).run();
        List<BenchReport.Row> rows = BenchReport.read(csv);
        for (EndToEndMode mode : modes) {
            for (String metric : List.of(EndToEndBench.FIRST_SYNC, EndToEndBench.ENDPOINT_CHANGED,
                    EndToEndBench.NEW_SERVICE, EndToEndBench.NEW_SERVICE_LOWER, EndToEndBench.NEW_SERVICE_FROM_FIRST,
                    EndToEndBench.SERVICE_DELETED, EndToEndBench.CPU_BURST, EndToEndBench.BURST_P50,
                    EndToEndBench.BURST_P99, EndToEndBench.METRIC_P50, EndToEndBench.CPU_FIRST, EndToEndBench.CPU_RUN,
                    EndToEndBench.RSS)) {
                BenchReport.Row r = BenchReport.find(rows, EndToEndBench.SECTION, metric, mode.label(), 20);
                assertNotNull(r, mode.label() + ": no row '" + metric + "' in\n" + Files.readString(csv));
                assertEquals(metric.startsWith("new Service") ? "2" : "1", r.get("runs"), metric);
                assertFalse(r.get("median").isEmpty(), metric);
            }
            BenchReport.Row written = BenchReport.find(rows, EndToEndBench.SECTION, "burst: changes written", mode.label(), 20);
            BenchReport.Row seen = BenchReport.find(rows, EndToEndBench.SECTION, "burst: changes seen in the kernel",
                    mode.label(), 20);
            assertEquals(10, written.num("median"), 1e-9, "5/s for 2 s");
            assertEquals(written.num("median"), seen.num("median"), 1e-9,
                    mode.label() + ": every burst change reached the kernel");
            BenchReport.Row rss = BenchReport.find(rows, EndToEndBench.SECTION, EndToEndBench.RSS, mode.label(), 20);
            assertTrue(rss.num("median") > 0);
            assertTrue(rss.get("note").contains("-XX:+UseSerialGC"), "the launcher's JVM flags are printed: " + rss.get("note"));
        }
    }
}
