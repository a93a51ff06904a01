package io.svcproxy.apply.nfacct;

import io.svcproxy.apply.NfacctCounters;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NamespacedCommandRunner;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both nfacct implementations in a throw-away namespace: idempotent, and "-m nfacct" rules load. */
@KernelTest(tools = {"nfacct", "iptables", "socat"})
class NfacctCountersKernelTest {
    private static final List<String> NAMES = List.of("ct_state_invalid_dropped_pkts", "svcp-test-counter");

    @Test
    void netlinkCountersAreCreatedOnceAndUsableByRules() {
        check(ns -> new NetlinkNfacctCounters(NetnsSockets.netfilter(ns)));
    }

    @Test
    void toolCountersAreCreatedOnceAndUsableByRules() {
        check(ns -> new ToolNfacctCounters(new NamespacedCommandRunner(ns)));
    }

    private static void check(Function<NetNs, NfacctCounters> countersIn) {
        try (NetNs ns = NetNs.create()) {
            countersIn.apply(ns).ensure(NAMES);
            // A packet through a counting rule, so "keeps its counts" is observable.
            ns.runChecked("ip", "link", "set", "lo", "up");
            ns.runChecked("iptables", "-A", "OUTPUT", "-o", "lo", "-m", "nfacct", "--nfacct-name", NAMES.get(1));
            ns.runChecked(List.of("socat", "-u", "STDIN", "UDP4-SENDTO:127.0.0.1:9"), "x");
            countersIn.apply(ns).ensure(NAMES);   // already there: no error, counts kept

            String list = ns.runChecked("nfacct", "list");
            for (String name : NAMES) {
                assertTrue(list.contains("= " + name + ";"), name + " missing from " + list);
            }
            assertTrue(list.matches("(?s).*pkts = 0*[1-9]\\d*, bytes = \\d+ } = " + NAMES.get(1) + ";.*"),
                    "counter lost its counts: " + list);
            ns.runChecked("iptables", "-A", "INPUT", "-m", "nfacct", "--nfacct-name", NAMES.get(0), "-j", "DROP");
            assertTrue(NetlinkConstants.NFACCT_NAME_MAX > NAMES.get(0).length());
        }
    }
}
