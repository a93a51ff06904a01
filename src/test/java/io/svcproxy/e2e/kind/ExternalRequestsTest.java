package io.svcproxy.e2e.kind;

import io.svcproxy.e2e.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Requests from the test JVM (the kind driver's external source), against a netexec stand-in on loopback. */
class ExternalRequestsTest {
    private static final Duration T = Duration.ofSeconds(2);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void answeredOverOneConnectionAndOneSocket(String loopback) {
        try (FakeNetexec server = new FakeNetexec("ext-pod", InetAddress.getByName(loopback))) {
            Reply tcp = ExternalRequests.tcp(loopback, server.port(), T);
            assertEquals("ext-pod (saw " + NetexecReplies.canonical(loopback) + ")", tcp.toString());
            Reply udp = ExternalRequests.udp(loopback, server.port(), T);
            assertEquals("ext-pod (saw " + NetexecReplies.canonical(loopback) + ")", udp.toString());
            assertEquals(200, ExternalRequests.httpStatus(loopback, server.port(), "/hostname", T));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void closedPortsAreRefused() throws Exception {
        assertEquals(Reply.Outcome.REFUSED, ExternalRequests.tcp("127.0.0.1", PodRequestsTest.closedTcpPort(), T).outcome());
        assertEquals(Reply.Outcome.REFUSED, ExternalRequests.udp("127.0.0.1", PodRequestsTest.closedUdpPort(), T).outcome());
        assertEquals(-1, ExternalRequests.httpStatus("127.0.0.1", PodRequestsTest.closedTcpPort(), "/", T));
    }

    @Test
    void silenceIsATimeout() throws Exception {
        Duration shortly = Duration.ofMillis(500);
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertEquals(Reply.Outcome.TIMEOUT, ExternalRequests.udp("127.0.0.1", silent.getLocalPort(), shortly).outcome());
        }
        // Accepted by the kernel (backlog) but never answered.
        try (ServerSocket mute = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Reply r = ExternalRequests.tcp("127.0.0.1", mute.getLocalPort(), shortly);
            assertEquals(Reply.Outcome.TIMEOUT, r.outcome(), r.toString());
        }
    }

    @Test
    void notNetexecIsOther() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket c = s.accept()) {
                    c.getOutputStream().write("SSH-2.0-OpenSSH\r\n".getBytes());
                } catch (java.io.IOException ignored) {
                    // the client's failure is what is checked
                }
            });
            t.start();
            Reply r = ExternalRequests.tcp("127.0.0.1", s.getLocalPort(), T);
            t.join(5000);
            assertEquals(Reply.Outcome.OTHER, r.outcome(), r.toString());
        }
    }
}
