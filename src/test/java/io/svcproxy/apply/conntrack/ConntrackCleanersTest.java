package io.svcproxy.apply.conntrack;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.conntrack.ConntrackEntry;
import io.svcproxy.netlink.conntrack.ConntrackTuple;
import io.svcproxy.plan.ConntrackFilter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.svcproxy.apply.conntrack.ConntrackTable.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConntrackCleanersTest {
    private static final ConntrackFilter FULL = new ConntrackFilter(IpFamily.V6, Protocol.UDP, ip("fd00:96::10"), 53,
            ip("fd00:244::5"));
    private static final ConntrackFilter NODE_PORT = new ConntrackFilter(IpFamily.V4, Protocol.UDP, null, 30053, null);

    /** Answers every command with the same result and records the commands. */
    private static final class FakeRunner extends CommandRunner {
        final List<List<String>> commands = new ArrayList<>();
        private final int exit;
        private final String stderr;

        FakeRunner(int exit, String stderr) {
            this.exit = exit;
            this.stderr = stderr;
        }

        @Override
        public Result run(List<String> command, Duration timeout) {
            commands.add(command);
            return new Result(command, exit, "", stderr);
        }
    }

    @Test
    void toolCommandsAreArgumentVectors() {
        assertEquals(List.of("conntrack", "-D", "-f", "ipv6", "-p", "udp", "--orig-dst", "fd00:96:0:0:0:0:0:10",
                "--orig-port-dst", "53", "--reply-src", "fd00:244:0:0:0:0:0:5"), ToolConntrackCleaner.command("conntrack", FULL));
        assertEquals(List.of("conntrack", "-D", "-f", "ipv4", "-p", "udp", "--orig-port-dst", "30053"),
                ToolConntrackCleaner.command("conntrack", NODE_PORT));
    }

    @Test
    void toolCountsDeletionsAndTreatsNothingMatchedAsZero() {
        FakeRunner two = new FakeRunner(0, "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n");
        assertEquals(4, new ToolConntrackCleaner(two).delete(List.of(FULL, NODE_PORT)));
        assertEquals(2, two.commands.size());
        FakeRunner none = new FakeRunner(1, "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n");
        assertEquals(0, new ToolConntrackCleaner(none).delete(List.of(FULL)));
    }

    @Test
    void toolFailuresAreErrors() {
        FakeRunner broken = new FakeRunner(1, "conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted\n");
        ConntrackCleanupException e = assertThrows(ConntrackCleanupException.class,
                () -> new ToolConntrackCleaner(broken).delete(List.of(FULL)));
        assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
    }

    @Test
    void filtersMatchOnEverySetField() {
        ConntrackEntry entry = new ConntrackEntry(NetlinkConstants.AF_INET,
                new ConntrackTuple(ip("10.0.0.1"), ip("10.96.0.10"), NetlinkConstants.IPPROTO_UDP, 1234, 53),
                new ConntrackTuple(ip("10.244.1.5"), ip("10.0.0.1"), NetlinkConstants.IPPROTO_UDP, 53, 1234),
                new byte[0], -1, -1);
        assertTrue(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.UDP, ip("10.96.0.10"), 53, ip("10.244.1.5")), entry));
        assertTrue(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.UDP, ip("10.96.0.10"), 0, null), entry));
        assertTrue(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.UDP, null, 53, null), entry));
        assertFalse(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.TCP, ip("10.96.0.10"), 0, null), entry));
        assertFalse(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.UDP, ip("10.96.0.11"), 0, null), entry));
        assertFalse(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.UDP, null, 54, null), entry));
        assertFalse(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V4, Protocol.UDP, null, 53, ip("10.244.1.6")), entry));
        assertFalse(ConntrackFilterMatch.matches(new ConntrackFilter(IpFamily.V6, Protocol.UDP, null, 53, null), entry));
    }

    @Test
    void factoryFallsBackToTheToolWhenNetlinkIsUnavailable() {
        CommandRunner runner = new CommandRunner();
        assertInstanceOf(ToolConntrackCleaner.class, ConntrackCleaners.choose(
                new Netlink.Availability(false, "no libc", new UnsatisfiedLinkError("x")), runner));
        assertInstanceOf(NetlinkConntrackCleaner.class, ConntrackCleaners.choose(
                new Netlink.Availability(true, "ok", null), runner));
    }
}
