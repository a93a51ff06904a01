package io.svcproxy.apply.conntrack;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NamespacedCommandRunner;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both cleaners against a real conntrack table in a throw-away namespace, IPv4 and IPv6. */
@KernelTest(tools = "conntrack")
class ConntrackCleanersKernelTest {

    @Test
    void netlinkCleanerDeletesExactlyTheMatchingEntries() {
        check(ns -> new NetlinkConntrackCleaner(NetnsSockets.netfilter(ns)));
    }

    @Test
    void toolCleanerDeletesExactlyTheMatchingEntries() {
        check(ns -> new ToolConntrackCleaner(new NamespacedCommandRunner(ns)));
    }

    @Test
    void netlinkCleanerWithNothingToDeleteDeletesNothing() {
        try (NetNs ns = NetNs.create()) {
            assertEquals(0, new NetlinkConntrackCleaner(NetnsSockets.netfilter(ns)).delete(ConntrackTable.filters()));
            assertEquals(0, new ToolConntrackCleaner(new NamespacedCommandRunner(ns)).delete(ConntrackTable.filters()));
        }
    }

    private static void check(Function<NetNs, ConntrackCleaner> cleanerIn) {
        try (NetNs ns = NetNs.create()) {
            ConntrackTable.populate(ns);
            assertEquals(6, ConntrackTable.list(ns, "ipv4").size(), "setup: " + ConntrackTable.list(ns, "ipv4"));
            assertEquals(2, ConntrackTable.list(ns, "ipv6").size());

            int deleted = cleanerIn.apply(ns).delete(ConntrackTable.filters());

            List<String> v4 = ConntrackTable.list(ns, "ipv4");
            List<String> v6 = ConntrackTable.list(ns, "ipv6");
            assertEquals(ConntrackTable.EXPECTED_DELETED, deleted, "left: " + v4 + v6);
            assertKeeps(v4, ConntrackTable.KEPT_V4);
            assertKeeps(v6, ConntrackTable.KEPT_V6);
            // A second pass finds nothing left to delete.
            assertEquals(0, cleanerIn.apply(ns).delete(ConntrackTable.filters()));
        }
    }

    private static void assertKeeps(List<String> lines, List<String> expected) {
        assertEquals(expected.size(), lines.size(), "remaining: " + lines);
        for (String marker : expected) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(marker)), marker + " missing from " + lines);
        }
    }
}
