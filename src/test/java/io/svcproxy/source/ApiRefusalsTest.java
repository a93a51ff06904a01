package io.svcproxy.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

/** The resource and verb named for a refused request, from the request alone. */
class ApiRefusalsTest {
    private static String key(String method, String uri) {
        return ApiRefusals.key(method, URI.create(uri)).orElse("(none)");
    }

    @Test
    void theVerbAndResourceAreKubeApiserversNames() {
        assertEquals("list services", key("GET", "https://h:6443/api/v1/services?labelSelector=x&limit=500"));
        assertEquals("watch services", key("GET", "https://h:6443/api/v1/services?allowWatchBookmarks=true&watch=true"));
        assertEquals("watch endpointslices.discovery.k8s.io",
                key("GET", "https://h:6443/apis/discovery.k8s.io/v1/endpointslices?resourceVersion=5&watch=true"));
        assertEquals("list nodes", key("GET", "https://h:6443/api/v1/nodes?fieldSelector=metadata.name%3Dnode-a"));
        assertEquals("get nodes", key("GET", "https://h:6443/api/v1/nodes/node-a"));
        assertEquals("create events", key("POST", "https://h:6443/api/v1/namespaces/default/events"));
        assertEquals("list namespaces", key("GET", "https://h:6443/api/v1/namespaces"));
        assertEquals("(none)", key("GET", "https://h:6443/version"));
    }

    @Test
    void aRefusalLastsUntilTheSameRequestIsAnswered() {
        ApiRefusals r = new ApiRefusals();
        URI watch = URI.create("https://h/apis/discovery.k8s.io/v1/endpointslices?watch=true");
        URI list = URI.create("https://h/apis/discovery.k8s.io/v1/endpointslices");
        r.record("GET", watch, 403);
        r.record("GET", list, 200); // listing still works: the watch stays refused
        assertEquals(Optional.of("the API server refuses to watch endpointslices.discovery.k8s.io (403 Forbidden)"),
                r.describe());
        r.record("GET", watch, 101); // the WebSocket upgrade
        assertEquals(Optional.empty(), r.describe());
        r.record("POST", URI.create("https://h/api/v1/namespaces/default/events"), 403);
        assertEquals(Optional.empty(), r.describe(), "only what the informers do counts");
        r.record("GET", URI.create("https://h/apis/networking.k8s.io/v1/servicecidrs?watch=true"), 403);
        assertEquals(Optional.empty(), r.describe(), "ServiceCIDRs are optional: their own warning says so");
    }

    @Test
    void oneUnauthorizedIsATokenBeingRefreshedTwoInARowARefusal() {
        ApiRefusals r = new ApiRefusals();
        URI list = URI.create("https://h/api/v1/services?limit=500");
        r.record("GET", list, 401);
        assertEquals(Optional.empty(), r.describe(), "fabric8 refreshes the token and retries");
        r.record("GET", list, 200);
        r.record("GET", list, 401);
        assertEquals(Optional.empty(), r.describe(), "a success in between: a new token's first 401");
        r.record("GET", list, 401);
        assertEquals(Optional.of("the API server refuses to list services (401 Unauthorized)"), r.describe());
        r.record("GET", list, 200);
        assertEquals(Optional.empty(), r.describe());
    }

    @Test
    void retryAfterIsReadFromThrottledAnswersOnly() {
        assertEquals(2, RetryAfter.waitSeconds(429, "2"));
        assertEquals(3, RetryAfter.waitSeconds(503, " 3 "));
        assertEquals(0, RetryAfter.waitSeconds(403, "2"));
        assertEquals(0, RetryAfter.waitSeconds(429, null));
        assertEquals(0, RetryAfter.waitSeconds(429, "Wed, 21 Oct 2015 07:28:00 GMT"));
        assertEquals(RetryAfter.MAX_WAIT_SECONDS, RetryAfter.waitSeconds(429, "86400"));
    }
}
