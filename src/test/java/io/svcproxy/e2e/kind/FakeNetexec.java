package io.svcproxy.e2e.kind;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A stand-in for agnhost netexec on a loopback address, for tests of the kind driver's clients: HTTP
 * {@code /hostname} and {@code /clientip} (kept-alive connections, Content-Length bodies, as Go's
 * server answers), and UDP {@code hostname}, {@code clientip} and {@code echo MSG} on the same port
 * number, answering with Go's {@code IP:port} / {@code [IPv6]:port} client addresses.
 */
final class FakeNetexec implements AutoCloseable {
    private final String hostname;
    private final HttpServer http;
    private final DatagramSocket udp;
    private final Thread udpLoop;

    FakeNetexec(String hostname, InetAddress loopback) {
        this.hostname = hostname;
        try {
            http = HttpServer.create(new InetSocketAddress(loopback, 0), 16);
            http.createContext("/hostname", ex -> answer(ex, 200, hostname));
            http.createContext("/clientip", ex -> answer(ex, 200, goAddress(ex.getRemoteAddress())));
            http.createContext("/healthz", ex -> answer(ex, 503, ""));
            http.start();
            udp = new DatagramSocket(new InetSocketAddress(loopback, http.getAddress().getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        udpLoop = new Thread(this::serveUdp, "fake-netexec-udp");
        udpLoop.setDaemon(true);
        udpLoop.start();
    }

    int port() {
        return http.getAddress().getPort();
    }

    private void serveUdp() {
        byte[] buf = new byte[2048];
        for (int i = 0; i < 100_000 && !udp.isClosed(); i++) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                String q = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT);
                String a = q.equals("hostname") ? hostname : q.equals("clientip")
                        ? goAddress((InetSocketAddress) p.getSocketAddress()) : q.startsWith("echo ") ? q.substring(5) : null;
                if (a != null) {
                    byte[] out = a.getBytes(StandardCharsets.UTF_8);
                    udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    /** As Go's net.Addr String(): IP:port, [IPv6]:port. */
    static String goAddress(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip.getHostAddress().replaceFirst("%.*$", "");
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        udp.close();
        http.stop(0);
    }
}
