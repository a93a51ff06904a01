package io.svcproxy.bench;

import io.svcproxy.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nftables scale harness at a tiny size: every step runs against the kernel and gives a row (no timing asserted). */
@KernelTest(tools = "nft")
class NftScaleBenchTest {
    @Test
    void everyStepGivesARow() {
        List<String[]> rows = NftScaleBench.run(20, 1, 5);
        Set<String> metrics = rows.stream().map(r -> r[1]).collect(Collectors.toSet());
        assertEquals(Set.of("first full sync (plan, read, diff, one batch)", "full resync, nothing changed (dump + diff)",
                "full resync again (the DNAT maps read before are not dumped again)",
                "one endpoint added (partial sync)", "new service with 10 endpoints (partial sync)",
                "service deleted (partial sync)", "burst: one endpoint per sync, p50", "burst: one endpoint per sync, p99",
                "floor: nft -f of the complete table into an empty namespace",
                "nft --json list table (the read upstream runs before each sync)"), metrics);
        for (String[] r : rows) {
            assertEquals(NftScaleBench.HEADER.length, r.length);
            assertTrue(Double.parseDouble(r[6]) >= 0, String.join(",", r));
        }
        String oneEndpoint = rows.stream().filter(r -> r[1].startsWith("one endpoint")).findFirst().orElseThrow()[11];
        assertTrue(oneEndpoint.endsWith(" bytes") && !oneEndpoint.equals("0 bytes"), "a batch was sent: " + oneEndpoint);
    }
}
