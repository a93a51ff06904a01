package io.svcproxy.apply.nfacct;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.netlink.Netlink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NfacctCountersTest {
    private static CommandRunner answering(int exit, String stderr, List<List<String>> seen) {
        return new CommandRunner() {
            @Override
            public Result run(List<String> command, Duration timeout) {
                seen.add(command);
                return new Result(command, exit, "", stderr);
            }
        };
    }

    @Test
    void toolAddsEachCounterAndAcceptsExistingOnes() {
        List<List<String>> seen = new ArrayList<>();
        new ToolNfacctCounters(answering(1, "nfacct v1.0.2: error: Device or resource busy\n", seen)).ensure(List.of("a", "b"));
        new ToolNfacctCounters(answering(1, "nfacct v1.0.2: error: File exists\n", seen)).ensure(List.of("c"));
        assertEquals(List.of(List.of("nfacct", "add", "a"), List.of("nfacct", "add", "b"), List.of("nfacct", "add", "c")), seen);
    }

    @Test
    void toolFailuresAndBadNamesAreErrors() {
        List<List<String>> seen = new ArrayList<>();
        assertThrows(NfacctException.class, () -> new ToolNfacctCounters(
                answering(1, "nfacct v1.0.2: error: Operation not permitted\n", seen)).ensure(List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> new ToolNfacctCounters(
                answering(0, "", seen)).ensure(List.of("x".repeat(40))));
    }

    @Test
    void factoryFallsBackToTheToolWhenNetlinkIsUnavailable() {
        assertInstanceOf(ToolNfacctCounters.class, NfacctCountersFactory.choose(
                new Netlink.Availability(false, "no libc", null), new CommandRunner()));
        assertInstanceOf(NetlinkNfacctCounters.class, NfacctCountersFactory.choose(
                new Netlink.Availability(true, "ok", null), new CommandRunner()));
    }
}
