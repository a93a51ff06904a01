package io.svcproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** Phase i at a tiny size: the child JVM lists from the stub and writes its rows; no figure is asserted. */
class ApiListBenchTest {

    @Test
    void theChildListsTheClusterAndWritesItsRows(@TempDir Path work) throws Exception {
        Path csv = work.resolve(BenchMain.API_LIST_CSV);
        assertEquals(0, ApiListBench.run(1200, 2, csv), "the child JVM's exit code");
        List<BenchReport.Row> rows = BenchReport.read(csv);
        assertEquals(5, rows.size(), rows.toString());
        for (BenchReport.Row r : rows) {
            assertEquals(ApiListBench.SECTION, r.get("section"));
            assertEquals("1200", r.get("services"));
            assertEquals("2", r.get("endpoints_per_service"));
            assertFalse(r.get("median").isEmpty(), r.toString());
        }
    }
}
