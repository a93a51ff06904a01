package io.svcproxy.source;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sees every answer the API server gives the client (lists, watch handshakes, their retries) and
 * keeps the requests it refuses (403: RBAC missing a verb; 401 twice in a row: a revoked token) until the same
 * resource and verb is answered again. fabric8 retries refused watches inside its watch manager and
 * logs them at debug level only: without this the node would silently stop following the API.
 * Each refusal is logged once when it starts, and once when it ends.
 */
final class ApiRefusals implements Interceptor {
    static final String NAME = "svcproxy-refusals";
    private static final Logger LOG = LoggerFactory.getLogger(ApiRefusals.class);

    /**
     * Resources the source does without when refused (ServiceCIDRs: Kubernetes before 1.33 or a
     * ClusterRole without them; {@link ServiceCidrResource} says so in its own warning).
     */
    static final java.util.Set<String> OPTIONAL = java.util.Set.of("servicecidrs.networking.k8s.io");

    /** What was refused, by "verb resource" (e.g. "watch endpointslices.discovery.k8s.io"). */
    private final Map<String, String> refused = new TreeMap<>();
    /** Requests answered 401 once since their last success (a token being refreshed). */
    private final java.util.Set<String> unauthorizedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        record(request.method(), request.uri(), response.code());
    }

    void record(String method, URI uri, int code) {
        if (!"GET".equals(method)) {
            return; // what the informers do; a refused Event (NodeEvents) is that class's to report
        }
        Optional<String> key = key(method, uri);
        if (key.isEmpty()) {
            return;
        }
        String what = key.get();
        if (OPTIONAL.contains(what.substring(what.indexOf(' ') + 1))) {
            return;
        }
        if (code == 401 && unauthorizedOnce.add(what)) {
            // An expired token: fabric8 re-reads it and retries at once. Only a second 401 in a row counts.
            return;
        }
        if (code == 401 || code == 403) {
            String reason = code == 401 ? "401 Unauthorized" : "403 Forbidden";
            String previous;
            synchronized (this) {
                previous = refused.put(what, reason);
            }
            if (previous == null) {
                LOG.error("the API server refuses to {} ({}): this node's rules cannot follow the API until it does; "
                        + (code == 401 ? "check the proxy's credentials (token, kubeconfig)"
                        : "grant the proxy's service account " + what + " (kube-proxy's ClusterRole system:node-proxier)"),
                        what, reason);
            }
        } else if (code < 400) {
            unauthorizedOnce.remove(what);
            String previous;
            synchronized (this) {
                previous = refused.remove(what);
            }
            if (previous != null) {
                LOG.info("the API server allows {} again", what);
            }
        }
    }

    /** One line naming every refused resource and verb, if any. */
    synchronized Optional<String> describe() {
        if (refused.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder("the API server refuses to ");
        String sep = "";
        for (Map.Entry<String, String> e : refused.entrySet()) {
            sb.append(sep).append(e.getKey()).append(" (").append(e.getValue()).append(')');
            sep = ", ";
        }
        return Optional.of(sb.toString());
    }

    /**
     * "verb resource[.group]" for a request on an API collection or object; empty for anything else
     * (/version, discovery). The verb is kube-apiserver's: watch, list, get, create, update, patch, delete.
     */
    static Optional<String> key(String method, URI uri) {
        String[] p = uri.getRawPath().split("/");
        // /api/v1/[namespaces/NS/]RESOURCE[/NAME] or /apis/GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME]
        int i;
        String group;
        if (p.length >= 4 && "api".equals(p[1])) {
            i = 3;
            group = "";
        } else if (p.length >= 5 && "apis".equals(p[1])) {
            i = 4;
            group = p[2];
        } else {
            return Optional.empty();
        }
        if (p.length > i + 1 && "namespaces".equals(p[i]) && p.length > i + 2) {
            i += 2;
        }
        String resource = p[i];
        boolean named = p.length > i + 1;
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        String verb = switch (method) {
            case "GET" -> ("&" + query + "&").contains("&watch=true&") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        return Optional.of(verb + " " + resource + (group.isEmpty() ? "" : "." + group));
    }
}
