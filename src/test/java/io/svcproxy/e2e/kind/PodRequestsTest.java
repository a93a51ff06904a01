package io.svcproxy.e2e.kind;

import io.svcproxy.e2e.Reply;
import io.svcproxy.testing.KernelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kind driver's in-pod requests: how their output is read (samples of curl, bash/dd and netexec
 * /dial output), and the very commands run here against a netexec stand-in on loopback, answered,
 * refused and silent. The agnhost image (Alpine) has curl and bash, and busybox's dd and timeout:
 * the UDP command runs with coreutils' and with busybox's (scripts/install-test-deps.sh installs it).
 */
class PodRequestsTest {
    private static final Duration T = Duration.ofSeconds(2);

    // ---- Reading outputs ----------------------------------------------------------------------------

    @Test
    void tcpAnswerNamesThePodAndTheClientOfTheSameConnection() {
        Reply r = PodRequests.parseTcp(new PodRequests.Output(0, "server-1a2b-3 200 1\n10.244.1.7:41234 200 0\n", "* verbose"));
        assertEquals(Reply.Outcome.ANSWERED, r.outcome(), r.toString());
        assertEquals("server-1a2b-3", r.pod());
        assertEquals("10.244.1.7", r.clientAddress());

        Reply v6 = PodRequests.parseTcp(new PodRequests.Output(0, "p 200 1\n[fd00:10:244::7]:41234 200 0\n", ""));
        assertEquals("fd00:10:244:0:0:0:0:7", v6.clientAddress());
    }

    @Test
    void tcpAnswerOverTwoConnectionsIsNotTrusted() {
        Reply r = PodRequests.parseTcp(new PodRequests.Output(0, "a 200 1\n10.244.1.7:41234 200 1\n", ""));
        assertEquals(Reply.Outcome.OTHER, r.outcome());
        assertTrue(r.detail().contains("not on the first connection"), r.detail());
    }

    @Test
    void tcpFailuresByCurlExitAndVerboseText() {
        String refusedErr = "*   Trying 10.96.0.12:80...\n* connect to 10.96.0.12 port 80 failed: Connection refused\n"
                + "* Failed to connect to 10.96.0.12 port 80 after 1 ms: Couldn't connect to server\n";
        assertEquals(Reply.Outcome.REFUSED, PodRequests.parseTcp(new PodRequests.Output(7, "", refusedErr)).outcome());
        String noRoute = "* connect to 10.96.0.12 port 80 failed: No route to host\n";
        assertEquals(Reply.Outcome.OTHER, PodRequests.parseTcp(new PodRequests.Output(7, "", noRoute)).outcome());
        assertEquals(Reply.Outcome.TIMEOUT, PodRequests.parseTcp(new PodRequests.Output(28, "", "timed out")).outcome());
        assertEquals(Reply.Outcome.OTHER, PodRequests.parseTcp(new PodRequests.Output(0, "a 404 1\n", "")).outcome());
        assertEquals(Reply.Outcome.OTHER, PodRequests.parseTcp(new PodRequests.Output(PodExec.NO_EXIT, "",
                "exec in x did not finish")).outcome());
    }

    @Test
    void udpOutputsOfCoreutilsAndBusybox() {
        Reply r = PodRequests.parseUdp(new PodRequests.Output(0, "r0-77-1\n10.244.2.3:50000\n", "0+1 records in\n"));
        assertEquals("r0-77-1 (saw 10.244.2.3)", r.toString());
        assertEquals(Reply.Outcome.REFUSED, PodRequests.parseUdp(new PodRequests.Output(1, "",
                "dd: error reading 'standard input': Connection refused\n")).outcome());
        assertEquals(Reply.Outcome.REFUSED, PodRequests.parseUdp(new PodRequests.Output(1, "",
                "0+1 records in\n0+1 records out\ndd: standard input: Connection refused\n")).outcome());
        assertEquals(Reply.Outcome.TIMEOUT, PodRequests.parseUdp(new PodRequests.Output(124, "", "")).outcome());
        assertEquals(Reply.Outcome.TIMEOUT, PodRequests.parseUdp(new PodRequests.Output(143, "", "Terminated")).outcome());
        assertEquals(Reply.Outcome.OTHER, PodRequests.parseUdp(new PodRequests.Output(3, "",
                "bash: /dev/udp/x/1: Name does not resolve")).outcome());
        assertEquals(Reply.Outcome.OTHER, PodRequests.parseUdp(new PodRequests.Output(0, "only-one-line\n", "")).outcome());
    }

    @Test
    void sctpThroughNetexecDial() {
        List<String> cmd = PodRequests.sctp(8080, "fd00:10:96::5", 5060, T);
        assertEquals("http://127.0.0.1:8080/dial?protocol=sctp&request=hostname&tries=1&host=fd00%3A10%3A96%3A%3A5&port=5060",
                cmd.get(cmd.size() - 1));
        Reply r = PodRequests.parseSctp(new PodRequests.Output(0, "{\"responses\":[\"sctp-9-1\"]}", ""));
        assertEquals(Reply.Outcome.ANSWERED, r.outcome());
        assertEquals("sctp-9-1", r.pod());
        assertNull(r.clientAddress(), "one association: no client address");
        assertEquals(Reply.Outcome.REFUSED, PodRequests.parseSctp(new PodRequests.Output(0,
                "{\"errors\":[\"sctp dial failed. err:connection refused\"]}", "")).outcome());
        assertEquals(Reply.Outcome.TIMEOUT, PodRequests.parseSctp(new PodRequests.Output(0,
                "{\"errors\":[\"reading from sctp connection failed. err:'read: i/o timeout'\"]}", "")).outcome());
        assertEquals(Reply.Outcome.TIMEOUT, PodRequests.parseSctp(new PodRequests.Output(28, "", "")).outcome());
        assertEquals(Reply.Outcome.OTHER, PodRequests.parseSctp(new PodRequests.Output(0, "not json", "")).outcome());
    }

    @Test
    void httpStatusIsCurlsCodeOrMinusOne() {
        assertEquals(503, PodRequests.parseHttpStatus(new PodRequests.Output(0, "503", "")));
        assertEquals(-1, PodRequests.parseHttpStatus(new PodRequests.Output(28, "000", "")));
    }

    // ---- The commands, run here against a netexec stand-in on loopback -------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void tcpAndUdpCommandsAnswered(String loopback) throws Exception {
        try (FakeNetexec server = new FakeNetexec("backend-x", InetAddress.getByName(loopback))) {
            Reply tcp = PodRequests.parseTcp(run(PodRequests.tcp(loopback, server.port(), T)));
            assertEquals(Reply.Outcome.ANSWERED, tcp.outcome(), tcp.toString());
            assertEquals("backend-x", tcp.pod());
            assertEquals(NetexecReplies.canonical(loopback), tcp.clientAddress());

            for (boolean busybox : new boolean[]{false, true}) {
                Reply udp = PodRequests.parseUdp(run(PodRequests.udp(loopback, server.port(), T), busybox));
                assertEquals(Reply.Outcome.ANSWERED, udp.outcome(), (busybox ? "busybox: " : "") + udp);
                assertEquals("backend-x", udp.pod());
                assertEquals(NetexecReplies.canonical(loopback), udp.clientAddress());
            }

            assertEquals(200, PodRequests.parseHttpStatus(run(PodRequests.httpStatus(loopback, server.port(), "/hostname", T))));
            assertEquals(503, PodRequests.parseHttpStatus(run(PodRequests.httpStatus(loopback, server.port(), "/healthz", T))));
        }
    }

    @Test
    void commandsToAClosedPortAreRefused() throws Exception {
        int closed = closedTcpPort();
        Reply tcp = PodRequests.parseTcp(run(PodRequests.tcp("127.0.0.1", closed, T)));
        assertEquals(Reply.Outcome.REFUSED, tcp.outcome(), tcp.toString());
        assertEquals(-1, PodRequests.parseHttpStatus(run(PodRequests.httpStatus("127.0.0.1", closed, "/", T))));

        for (boolean busybox : new boolean[]{false, true}) {
            Reply udp = PodRequests.parseUdp(run(PodRequests.udp("127.0.0.1", closedUdpPort(), T), busybox));
            assertEquals(Reply.Outcome.REFUSED, udp.outcome(), (busybox ? "busybox: " : "") + udp);
        }
    }

    @ParameterizedTest(name = "busybox {0}")
    @ValueSource(booleans = {false, true})
    void udpToASilentSocketTimesOut(boolean busybox) throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Reply udp = PodRequests.parseUdp(run(PodRequests.udp("127.0.0.1", silent.getLocalPort(), Duration.ofSeconds(1)),
                    busybox));
            assertEquals(Reply.Outcome.TIMEOUT, udp.outcome(), udp.toString());
        }
    }

    static int closedTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int closedUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static PodRequests.Output run(List<String> argv) throws Exception {
        return run(argv, false);
    }

    /** Runs argv here as exec would in the pod, bounded; busybox: with busybox's dd and timeout first on PATH. */
    private static PodRequests.Output run(List<String> argv, boolean busybox) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv);
        Path tools = null;
        if (busybox) {
            Path bb = KernelTestSupport.findTool("busybox");
            if (bb == null) {
                KernelTestSupport.skipOrFail("busybox not found (scripts/install-test-deps.sh installs it)");
            }
            tools = Files.createTempDirectory("busybox-tools");
            for (String applet : List.of("dd", "timeout")) {
                Files.createSymbolicLink(tools.resolve(applet), bb);
            }
            pb.environment().put("PATH", tools + ":" + System.getenv("PATH"));
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("did not finish: " + argv);
            }
            return new PodRequests.Output(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            if (tools != null) {
                for (String applet : List.of("dd", "timeout")) {
                    Files.deleteIfExists(tools.resolve(applet));
                }
                Files.delete(tools);
            }
        }
    }
}
