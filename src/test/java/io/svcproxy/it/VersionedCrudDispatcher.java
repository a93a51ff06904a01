package io.svcproxy.it;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * fabric8's CRUD mock API server with {@code GET /version} answered as a real API server answers
 * it. The CRUD dispatcher alone treats {@code /version} as a list of every object it holds: the
 * proxy probes that path every few seconds to tell an outage, so at 10,000 Services each probe
 * downloaded tens of megabytes, which a real cluster never sends and which made the daemon measured
 * against it slower and larger than against a real API server.
 */
public final class VersionedCrudDispatcher extends KubernetesCrudDispatcher {
    /** What a v1.36 API server answers (the fields kubectl version reads). */
    static final String VERSION = "{\"major\":\"1\",\"minor\":\"36\",\"gitVersion\":\"v1.36.2\","
            + "\"gitCommit\":\"mock\",\"gitTreeState\":\"clean\",\"buildDate\":\"2026-01-01T00:00:00Z\","
            + "\"goVersion\":\"go1.25\",\"compiler\":\"gc\",\"platform\":\"linux/amd64\"}";

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        if ("GET".equals(request.getMethod()) && path != null && (path.equals("/version") || path.startsWith("/version?"))) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(VERSION);
        }
        return super.dispatch(request);
    }
}
