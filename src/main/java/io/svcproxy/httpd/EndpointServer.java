package io.svcproxy.httpd;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A tiny read-only HTTP server on the JDK's {@code com.sun.net.httpserver}: a fixed set of exact
 * paths, each answering GET and HEAD from a {@link Supplier} of a {@link Response}. Anything else is
 * refused early and cheaply: an unknown path 404, another method 405, a request with a body 413, a
 * long URI 414, large headers 431. Slow clients are cut off by the JDK server's request/response time
 * limits ({@link #configureLimits()}); handlers run on two daemon threads (then on the dispatcher).
 */
public final class EndpointServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointServer.class);
    /** Longest request target accepted. */
    public static final int MAX_URI_LENGTH = 2048;
    /** Largest total of header names and values accepted. */
    public static final int MAX_HEADER_BYTES = 8192;
    /** Most request header lines accepted. */
    public static final int MAX_HEADERS = 64;
    /** Seconds a client has to send its request, and to read the response. */
    public static final String REQUEST_TIMEOUT_SECONDS = "10";

    static {
        configureLimits();
    }

    /** A complete answer. */
    public record Response(int status, String contentType, byte[] body) {
        public static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }

        public static Response json(int status, String json) {
            return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final String name;

    private EndpointServer(String name, HttpServer server, ThreadPoolExecutor executor) {
        this.name = name;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address} (port 0: an ephemeral port) and starts serving {@code routes}
     * (exact path to answer).
     *
     * @throws IOException when the address cannot be bound (in use, not local, no permission)
     */
    public static EndpointServer start(String name, InetSocketAddress address, Map<String, Supplier<Response>> routes)
            throws IOException {
        return start(name, address, Map.copyOf(routes), null);
    }

    /** Like {@link #start} with one answer for every path (kube-proxy's health-check node ports do that). */
    public static EndpointServer startAnyPath(String name, InetSocketAddress address, Supplier<Response> answer)
            throws IOException {
        return start(name, address, Map.of(), answer);
    }

    private static EndpointServer start(String name, InetSocketAddress address, Map<String, Supplier<Response>> table,
                                        Supplier<Response> anyPath) throws IOException {
        HttpServer server = HttpServer.create(address, 64);
        server.createContext("/", exchange -> handle(exchange, table, anyPath));
        ThreadPoolExecutor executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(32), r -> {
                    Thread t = new Thread(r, "http-" + name);
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.start();
        return new EndpointServer(name, server, executor);
    }

    /** The bound address (with the actual port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * The JDK server reads its limits once, from system properties, when the first server is made; an
     * operator's own -D settings win.
     */
    public static void configureLimits() {
        setIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_TIMEOUT_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", REQUEST_TIMEOUT_SECONDS);
        setIfAbsent("sun.net.httpserver.maxReqHeaders", Integer.toString(2 * MAX_HEADERS));
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", Integer.toString(4 * MAX_HEADER_BYTES));
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "16");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static void handle(HttpExchange exchange, Map<String, Supplier<Response>> routes,
                               Supplier<Response> anyPath) {
        try (exchange) {
            Response response = route(exchange, routes, anyPath);
            send(exchange, response);
        } catch (IOException | RuntimeException e) {
            LOG.debug("http request from {} failed: {}", exchange.getRemoteAddress(), e.toString());
        }
    }

    private static Response route(HttpExchange exchange, Map<String, Supplier<Response>> routes,
                                  Supplier<Response> anyPath) {
        String rawUri = exchange.getRequestURI().toString();
        if (rawUri.length() > MAX_URI_LENGTH) {
            return Response.text(414, "URI too long\n");
        }
        if (headerBytes(exchange.getRequestHeaders()) > MAX_HEADER_BYTES
                || headerCount(exchange.getRequestHeaders()) > MAX_HEADERS) {
            return Response.text(431, "request headers too large\n");
        }
        Supplier<Response> handler = anyPath != null ? anyPath : routes.get(exchange.getRequestURI().getRawPath());
        if (handler == null) {
            return Response.text(404, "404 page not found\n");
        }
        String method = exchange.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            exchange.getResponseHeaders().set("Connection", "close");
            return Response.text(405, "method not allowed\n");
        }
        if (hasBody(exchange.getRequestHeaders())) {
            exchange.getResponseHeaders().set("Connection", "close");
            return Response.text(413, "request body not accepted\n");
        }
        return handler.get();
    }

    private static int headerCount(Headers headers) {
        return headers.values().stream().mapToInt(List::size).sum();
    }

    private static int headerBytes(Headers headers) {
        int total = 0;
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            for (String v : e.getValue()) {
                total += e.getKey().length() + v.length() + 4;
            }
        }
        return total;
    }

    private static boolean hasBody(Headers headers) {
        if (headers.containsKey("Transfer-encoding")) {
            return true;
        }
        String length = headers.getFirst("Content-length");
        if (length == null) {
            return false;
        }
        try {
            return Long.parseLong(length.trim()) != 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        Headers out = exchange.getResponseHeaders();
        out.set("Content-Type", response.contentType());
        out.set("X-Content-Type-Options", "nosniff");
        out.set("Cache-Control", "no-cache");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        byte[] body = response.body();
        if (head) {
            out.set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }
}
