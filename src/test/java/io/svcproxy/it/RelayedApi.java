package io.svcproxy.it;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.svcproxy.testing.TcpRelay;
import okhttp3.mockwebserver.MockWebServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * A CRUD mock Kubernetes API server for a daemon in a node namespace. The server listens on the
 * host's loopback; the node namespace reaches it on its own loopback ({@link #MASTER}) through socat
 * ({@link #socatArgv}, run by the test in the namespace), a Unix socket and a relay in this JVM, which
 * {@link #stop()} cuts with every open connection at once (an API server outage). No interface or
 * address is added to the host. {@link #start()} again gives a fresh, empty store on the same port.
 */
public final class RelayedApi implements AutoCloseable {
    /** The API server URL as seen from inside the node namespace. */
    public static final String MASTER = "http://127.0.0.1:6443";

    private final int apiPort = freePort();
    private final Path socketDir;
    private final Path socket;
    private KubernetesMockServer server;
    private KubernetesClient admin;
    private TcpRelay relay;

    public RelayedApi() {
        try {
            socketDir = Files.createTempDirectory("svcp-api");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        socket = socketDir.resolve("api.sock");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The argv bridging {@link #MASTER} in the namespace to the relay's socket (run it with ip netns exec). */
    public List<String> socatArgv(String nsName) {
        return List.of("ip", "netns", "exec", nsName, "socat",
                "TCP-LISTEN:6443,bind=127.0.0.1,fork,reuseaddr,nodelay", "UNIX-CONNECT:" + socket);
    }

    /** Starts the server (empty store) and the relay. */
    public void start() {
        MockWebServer http = new MockWebServer();
        // Without it every response waits ~40 ms for a delayed ACK (NoDelayServerSockets says why).
        http.setServerSocketFactory(new io.svcproxy.testing.NoDelayServerSockets());
        server = new KubernetesMockServer(new Context(), http, new HashMap<>(),
                new VersionedCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), apiPort);
        admin = server.createClient();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        relay = new TcpRelay(UnixDomainSocketAddress.of(socket),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), apiPort));
    }

    /** A client of the running server, to create, update and delete objects. */
    public KubernetesClient admin() {
        if (admin == null) {
            throw new IllegalStateException("the API server is not running");
        }
        return admin;
    }

    /** The API server goes away: every connection to it breaks. */
    public void stop() {
        if (relay != null) {
            relay.close();
            relay = null;
        }
        if (server != null) {
            admin.close();
            admin = null;
            server.destroy();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socketDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
