package io.svcproxy.e2e.kind;

import com.sun.nio.sctp.MessageInfo;
import com.sun.nio.sctp.SctpChannel;
import io.svcproxy.e2e.Reply;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Requests from outside the cluster: from this JVM, on the host that runs the kind nodes' containers
 * (their InternalIPs are reachable from it, and it is in none of the cluster's networks). Same
 * questions as {@link PodRequests} asks from pods: {@code /hostname} then {@code /clientip} over one
 * HTTP/1.1 connection, {@code hostname} then {@code clientip} over one connected UDP socket,
 * {@code hostname} over one SCTP association (JDK SCTP: needs libsctp on the host).
 */
final class ExternalRequests {
    private ExternalRequests() {
    }

    static Reply tcp(String address, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(address), port), millis(timeout));
            s.setSoTimeout(millis(timeout));
            HttpAnswer host = get(s, address, "/hostname");
            HttpAnswer client = get(s, address, "/clientip");
            String detail = "GET /hostname " + host.status() + " '" + host.body() + "', GET /clientip " + client.status()
                    + " '" + client.body() + "' over " + s.getLocalSocketAddress();
            if (host.status() != 200 || client.status() != 200) {
                return Reply.failed(Reply.Outcome.OTHER, detail);
            }
            return NetexecReplies.answered(host.body(), client.body(), detail);
        } catch (IOException e) {
            return failure(e);
        }
    }

    static Reply udp(String address, int port, Duration timeout) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(InetAddress.getByName(address), port);
            s.setSoTimeout(millis(timeout));
            String host = ask(s, "hostname");
            String client = ask(s, "clientip");
            return NetexecReplies.answered(host, client, "'" + host + "' '" + client + "' from " + s.getLocalSocketAddress());
        } catch (IOException e) {
            return failure(e);
        }
    }

    /** One association asking {@code hostname}; connect and read bounded through a selector. */
    static Reply sctp(String address, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SctpChannel opened;
        try {
            opened = SctpChannel.open();
        } catch (UnsupportedOperationException | IOException e) {
            throw new IllegalStateException("this JVM cannot open SCTP sockets (" + e + "): install libsctp1 and load"
                    + " the sctp module on this host, or run with -De2e.sctp=none", e);
        }
        try (SctpChannel ch = opened; Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_CONNECT);
            if (!ch.connect(new InetSocketAddress(InetAddress.getByName(address), port))) {
                while (!ch.finishConnect()) {
                    if (!await(selector, deadline)) {
                        return Reply.failed(Reply.Outcome.TIMEOUT, "SCTP association not established within " + timeout);
                    }
                }
            }
            ch.send(ByteBuffer.wrap("hostname".getBytes(StandardCharsets.US_ASCII)), MessageInfo.createOutgoing(null, 0));
            ch.keyFor(selector).interestOps(SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(2048);
            while (ch.receive(in, null, null) == null) {
                if (!await(selector, deadline)) {
                    return Reply.failed(Reply.Outcome.TIMEOUT, "no SCTP answer within " + timeout);
                }
            }
            in.flip();
            String host = StandardCharsets.US_ASCII.decode(in).toString();
            return NetexecReplies.answered(host, null, "SCTP '" + host + "'");
        } catch (IOException e) {
            return failure(e);
        }
    }

    /** The status of GET path, or -1 without an HTTP answer within timeout. */
    static int httpStatus(String address, int port, String path, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(address), port), millis(timeout));
            s.setSoTimeout(millis(timeout));
            return get(s, address, path).status();
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean await(Selector selector, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return false;
        }
        selector.select(left);
        selector.selectedKeys().clear();
        return true;
    }

    private static String ask(DatagramSocket s, String question) throws IOException {
        byte[] q = question.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(q, q.length));
        DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
        s.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
    }

    record HttpAnswer(int status, String body) {
    }

    /** One HTTP/1.1 GET on an open connection, which stays open (keep-alive) for the next. */
    static HttpAnswer get(Socket s, String address, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        String host = address.contains(":") ? "[" + address + "]" : address;
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: svcproxy-e2e\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        String[] f = status.split(" ", 3);
        if (f.length < 2 || !f[0].startsWith("HTTP/1.") || !f[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP status line: '" + status + "'");
        }
        int length = -1;
        for (int i = 0; i < 100; i++) {
            String h = line(in);
            if (h.isEmpty()) {
                break;
            }
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).strip());
            }
        }
        if (length < 0 || length > 1 << 20) {
            throw new IOException("no usable Content-Length in the answer to GET " + path);
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection closed inside the body of GET " + path);
        }
        return new HttpAnswer(Integer.parseInt(f[1]), new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 8192; i++) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed mid-line after '" + b + "'");
            }
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** Timeouts and refusals by exception type; anything else (no route to host, reset...) is OTHER. */
    static Reply failure(IOException e) {
        String detail = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return Reply.failed(Reply.Outcome.TIMEOUT, detail);
        }
        if (e instanceof PortUnreachableException
                || (e instanceof ConnectException && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("refused"))) {
            return Reply.failed(Reply.Outcome.REFUSED, detail);
        }
        return Reply.failed(Reply.Outcome.OTHER, detail);
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}
