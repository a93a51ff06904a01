package io.svcproxy.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stub of kube-apiserver for the three collections the source watches, answering as the real
 * one does where fabric8's CRUD mock is kinder: resource versions from one counter, paging with
 * {@code limit}/{@code continue} (only when the client sends a limit), watches over WebSocket that
 * the test drives (events, BOOKMARKs, an ERROR 410 Gone, a clean end), and injected answers (403,
 * 429 with Retry-After, 5xx) on lists or watch handshakes. Every request is recorded.
 */
public final class ScriptedApiServer implements AutoCloseable {
    /** The collections the source lists and watches, by their URL path. */
    public enum Kind {
        SERVICES("/api/v1/services", "v1", "ServiceList", "services", ""),
        SLICES("/apis/discovery.k8s.io/v1/endpointslices", "discovery.k8s.io/v1", "EndpointSliceList",
                "endpointslices", "discovery.k8s.io"),
        NODES("/api/v1/nodes", "v1", "NodeList", "nodes", "");

        final String path;
        final String apiVersion;
        final String listKind;
        final String resource;
        final String group;

        Kind(String path, String apiVersion, String listKind, String resource, String group) {
            this.path = path;
            this.apiVersion = apiVersion;
            this.listKind = listKind;
            this.resource = resource;
            this.group = group;
        }

        static Kind of(String path) {
            for (Kind k : values()) {
                if (path.equals(k.path)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** One request as the server saw it. */
    public record Request(Kind kind, boolean watch, HttpUrl url, long nanos) {
        public String param(String name) {
            return url.queryParameter(name);
        }
    }

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    /** MockWebServer logs every request (the source probes /version every few hundred ms); held, so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger(MockWebServer.class.getName());

    private final MockWebServer server = new MockWebServer();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<Kind, TreeMap<String, HasMetadata>> objects = new ConcurrentHashMap<>();
    private final Map<Kind, List<WebSocket>> watches = new ConcurrentHashMap<>();
    private final Map<Kind, Function<Request, MockResponse>> listAnswers = new ConcurrentHashMap<>();
    private final Map<Kind, Function<Request, MockResponse>> watchAnswers = new ConcurrentHashMap<>();
    /** Every event sent, for watches that resume from a resourceVersion (kube-apiserver's watch cache). */
    private final List<Event> history = new ArrayList<>();
    private long resourceVersion = 100;

    private record Event(Kind kind, long version, String json) {
    }

    public ScriptedApiServer() {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        for (Kind k : Kind.values()) {
            objects.put(k, new TreeMap<>());
            watches.put(k, new CopyOnWriteArrayList<>());
        }
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's address; the client may reach it through a relay instead. */
    public int port() {
        return server.getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(Kind kind, boolean watch) {
        return requests.stream().filter(r -> r.kind() == kind && r.watch() == watch).toList();
    }

    public synchronized String currentVersion() {
        return Long.toString(resourceVersion);
    }

    /**
     * Adds or replaces an object at a new resource version. {@code notify}: open watches see it, and
     * so do watches resumed from an older version; without, no watch ever does (as when the server
     * compacted it away: only a list shows it).
     */
    public void put(Kind kind, HasMetadata object, boolean notify) {
        synchronized (this) {
            object.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
            String type = objects.get(kind).put(key(object), object) == null ? "ADDED" : "MODIFIED";
            if (notify) {
                event(kind, "{\"type\":\"" + type + "\",\"object\":" + JSON.asJson(object) + "}");
            }
        }
    }

    public void put(Kind kind, HasMetadata object) {
        put(kind, object, true);
    }

    public void delete(Kind kind, String namespace, String name, boolean notify) {
        synchronized (this) {
            HasMetadata gone = objects.get(kind).remove(namespace + "/" + name);
            if (gone == null) {
                return;
            }
            gone.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
            if (notify) {
                event(kind, "{\"type\":\"DELETED\",\"object\":" + JSON.asJson(gone) + "}");
            }
        }
    }

    /** A BOOKMARK at the current resource version on every open watch of {@code kind}; returns that version. */
    public String bookmark(Kind kind) {
        String rv = currentVersion();
        emit(kind, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + kind.listKind.replace("List", "")
                + "\",\"apiVersion\":\"" + kind.apiVersion + "\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"}}}");
        return rv;
    }

    /** What kube-apiserver sends when the watch's resource version was compacted away, then it ends the watch. */
    public void expireWatches(Kind kind) {
        emit(kind, "{\"type\":\"ERROR\",\"object\":" + status(410, "Expired",
                "too old resource version: 1 (" + currentVersion() + ")", "") + "}");
        closeWatches(kind);
    }

    /** An ERROR event with kube-apiserver's 429 Status on every open watch (the client is to come back later). */
    public void throttleWatches(Kind kind, int retryAfterSeconds) {
        emit(kind, "{\"type\":\"ERROR\",\"object\":" + status(429, "TooManyRequests",
                "Too many requests, please try again later.", "\"details\":{\"retryAfterSeconds\":" + retryAfterSeconds
                        + "},") + "}");
    }

    /** The watch ends cleanly, as after its timeoutSeconds. */
    public void closeWatches(Kind kind) {
        for (WebSocket ws : watches.get(kind)) {
            ws.close(1000, "");
        }
        watches.get(kind).clear();
    }

    public int openWatches(Kind kind) {
        return watches.get(kind).size();
    }

    /** Every later list of {@code kind} gets this answer instead (null: answered normally again). */
    public void answerLists(Kind kind, Function<Request, MockResponse> answer) {
        if (answer == null) {
            listAnswers.remove(kind);
        } else {
            listAnswers.put(kind, answer);
        }
    }

    /** Every later watch request of {@code kind} gets this answer instead of the upgrade (null: upgraded again). */
    public void answerWatches(Kind kind, Function<Request, MockResponse> answer) {
        if (answer == null) {
            watchAnswers.remove(kind);
        } else {
            watchAnswers.put(kind, answer);
        }
    }

    /** kube-apiserver's 403 for a service account without {@code verb} on {@code kind}. */
    public static MockResponse forbidden(Kind kind, String verb) {
        String message = kind.resource + (kind.group.isEmpty() ? "" : "." + kind.group) + " is forbidden: User "
                + "\\\"system:serviceaccount:kube-system:svcproxy\\\" cannot " + verb + " resource \\\"" + kind.resource
                + "\\\" in API group \\\"" + kind.group + "\\\" at the cluster scope";
        return json(403, status(403, "Forbidden", message, "\"details\":{\"group\":\"" + kind.group
                + "\",\"kind\":\"" + kind.resource + "\"},"));
    }

    /** kube-apiserver's 429 (API Priority and Fairness) with Retry-After. */
    public static MockResponse tooManyRequests(int retryAfterSeconds) {
        return json(429, status(429, "TooManyRequests", "Too many requests, please try again later.",
                "\"details\":{\"retryAfterSeconds\":" + retryAfterSeconds + "},"))
                .setHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    public static MockResponse unavailable(int retryAfterSeconds) {
        return json(503, status(503, "ServiceUnavailable", "the server is currently unable to handle the request",
                "\"details\":{\"retryAfterSeconds\":" + retryAfterSeconds + "},"))
                .setHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    private static String status(int code, String reason, String message, String details) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + message + "\",\"reason\":\"" + reason + "\"," + details + "\"code\":" + code + "}";
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    private MockResponse answer(RecordedRequest recorded) {
        HttpUrl url = recorded.getRequestUrl();
        if (url.encodedPath().equals("/version")) {
            return json(200, "{\"major\":\"1\",\"minor\":\"36\",\"gitVersion\":\"v1.36.2\"}");
        }
        Kind kind = Kind.of(url.encodedPath());
        if (kind == null || !"GET".equals(recorded.getMethod())) {
            return json(404, status(404, "NotFound", "the server could not find the requested resource", ""));
        }
        Request request = new Request(kind, "true".equals(url.queryParameter("watch")), url, System.nanoTime());
        requests.add(request);
        if (request.watch()) {
            Function<Request, MockResponse> override = watchAnswers.get(kind);
            if (override != null) {
                return override.apply(request);
            }
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket webSocket, Response response) {
                    opened(request, webSocket);
                }

                @Override
                public void onClosing(WebSocket webSocket, int code, String reason) {
                    watches.get(kind).remove(webSocket);
                    webSocket.close(1000, "");
                }

                @Override
                public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                    watches.get(kind).remove(webSocket);
                }
            });
        }
        Function<Request, MockResponse> override = listAnswers.get(kind);
        if (override != null) {
            return override.apply(request);
        }
        return json(200, list(request));
    }

    /** One page of the list; a continue token is "version:offset", like the real one it pins the version. */
    private synchronized String list(Request request) {
        List<HasMetadata> all = new ArrayList<>(objects.get(request.kind()).values());
        String fieldSelector = request.param("fieldSelector");
        if (fieldSelector != null && fieldSelector.startsWith("metadata.name=")) {
            String name = fieldSelector.substring("metadata.name=".length());
            all.removeIf(o -> !name.equals(o.getMetadata().getName()));
        }
        String version = currentVersion();
        int from = 0;
        String token = request.param("continue");
        if (token != null && !token.isEmpty()) {
            String[] parts = token.split(":");
            version = parts[0];
            from = Integer.parseInt(parts[1]);
        }
        String limitParam = request.param("limit");
        int limit = limitParam == null ? Integer.MAX_VALUE : Integer.parseInt(limitParam);
        int to = (int) Math.min(all.size(), (long) from + limit);
        StringBuilder items = new StringBuilder();
        for (int i = from; i < to; i++) {
            items.append(i > from ? "," : "").append(JSON.asJson(all.get(i)));
        }
        String next = to < all.size() ? ",\"continue\":\"" + version + ":" + to + "\"" : "";
        return "{\"kind\":\"" + request.kind().listKind + "\",\"apiVersion\":\"" + request.kind().apiVersion
                + "\",\"metadata\":{\"resourceVersion\":\"" + version + "\"" + next + "},\"items\":[" + items + "]}";
    }

    /** A watch from resourceVersion N first gets every later event, then the live ones. */
    private synchronized void opened(Request request, WebSocket webSocket) {
        String from = request.param("resourceVersion");
        long version = from == null || from.isEmpty() ? Long.MAX_VALUE : Long.parseLong(from);
        for (Event e : history) {
            if (e.kind() == request.kind() && e.version() > version) {
                webSocket.send(e.json());
            }
        }
        watches.get(request.kind()).add(webSocket);
    }

    private synchronized void event(Kind kind, String json) {
        history.add(new Event(kind, resourceVersion, json));
        emit(kind, json);
    }

    private synchronized void emit(Kind kind, String event) {
        for (WebSocket ws : watches.get(kind)) {
            ws.send(event);
        }
    }

    private static String key(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return (ns == null ? "" : ns) + "/" + o.getMetadata().getName();
    }

    @Override
    public void close() {
        for (Kind k : Kind.values()) {
            closeWatches(k);
        }
        try {
            server.shutdown();
        } catch (IOException e) {
            // already down
        }
    }
}
