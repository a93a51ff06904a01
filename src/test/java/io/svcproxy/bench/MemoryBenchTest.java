package io.svcproxy.bench;

import io.svcproxy.testing.KernelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory phase at a tiny size: an AppCDS archive dumped from the jarred class path, then one
 * child JVM per flag set (one of them using that archive, one too small to start a sync), rows for
 * each. No figure is asserted beyond being there.
 */
@KernelTest(tools = {"iptables-nft-save", "iptables-nft-restore", "nfacct"})
class MemoryBenchTest {

    @Test
    void oneChildJvmPerFlagSetAndARowForOneThatFails(@TempDir Path work) throws Exception {
        BenchMain.runMemory(20, List.of("-XX:+UseSerialGC -Xmx64m", "-XX:+UseSerialGC -Xmx64m -XX:SharedArchiveFile={cds}",
                "-Xmx4m"), work);
        assertTrue(Files.exists(work.resolve(BenchMain.CDS_ARCHIVE)), "the AppCDS archive was dumped");
        List<BenchReport.Row> rows = BenchReport.read(work.resolve("memory.csv"));
        for (String flags : List.of("-XX:+UseSerialGC -Xmx64m", "-XX:+UseSerialGC -Xmx64m -XX:SharedArchiveFile="
                + BenchMain.CDS_ARCHIVE)) {
            List<BenchReport.Row> set = rows.stream().filter(r -> r.get("note").equals("JVM flags: " + flags)).toList();
            assertEquals(7, set.size(), flags + ": " + rows);
            for (BenchReport.Row r : set) {
                assertEquals(MemoryBench.SECTION, r.get("section"));
                assertFalse(r.get("median").isEmpty(), r.toString());
            }
            assertTrue(set.stream().anyMatch(r -> r.get("metric").equals("peak RSS (VmHWM)") && r.num("median") > 10));
        }
        assertTrue(rows.stream().anyMatch(r -> r.get("note").startsWith("JVM flags: -Xmx4m; FAILED")
                && r.get("median").isEmpty()), rows.toString());
    }
}
