package io.svcproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards every connection accepted on {@code listen} (TCP, or a Unix socket path) to a TCP
 * {@code target}. {@link #close()} drops the listener and every open connection at once: from the
 * client's side, the server has gone away (a real outage; stopping a mock server alone may leave its
 * upgraded watch connections open).
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocketChannel server;
    private final InetSocketAddress target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    /** Connections that forward nothing any more (see {@link #blackholeOpenConnections()}). */
    private final java.util.Set<SocketChannel> blackholed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public TcpRelay(SocketAddress listen, InetSocketAddress target) {
        this.target = target;
        try {
            server = listen instanceof InetSocketAddress
                    ? ServerSocketChannel.open() : ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            if (listen instanceof InetSocketAddress) {
                server.socket().setReuseAddress(true);
            }
            server.bind(listen);
        } catch (IOException e) {
            throw new UncheckedIOException("relay cannot listen on " + listen, e);
        }
        Thread accept = new Thread(this::acceptLoop, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel in = server.accept();
                SocketChannel out;
                try {
                    out = SocketChannel.open(target);
                    // Relayed API traffic is small request/response writes: no Nagle delay on top.
                    out.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                } catch (IOException e) {
                    in.close();
                    continue;
                }
                open.add(in);
                open.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(16384);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    if (blackholed.contains(from)) {
                        buf.clear(); // dropped, like a dead peer's packets: nothing answers, nothing closes
                        continue;
                    }
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // closed
            } finally {
                quietClose(from);
                quietClose(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private void quietClose(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // ignore
        }
        open.remove(c);
        blackholed.remove(c);
    }

    /**
     * Half-open: every connection open now stops forwarding in both directions but stays open (a
     * peer that died without a FIN or RST, a NAT entry or load balancer that dropped the flow). New
     * connections are relayed as before.
     */
    public void blackholeOpenConnections() {
        blackholed.addAll(open);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // ignore
        }
        open.forEach(this::quietClose);
    }
}
