package io.svcproxy.source;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Honours Retry-After on throttled answers (429 from API Priority and Fairness, or a 5xx that
 * carries one), as client-go does: no list, watch or probe (GETs) is sent before the server's wait
 * is over, though the informers' own backoff (1 s, 2 s, 4 s...) may come sooner. Requests that
 * change something (Events) are not held. Waits are capped, so a server asking for hours cannot
 * stall the source for hours.
 */
final class RetryAfter implements Interceptor {
    static final String NAME = "svcproxy-retry-after";
    static final long MAX_WAIT_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(RetryAfter.class);

    /** System.nanoTime() before which no GET is sent; 0: none pending. */
    private final AtomicLong notBefore = new AtomicLong();

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        long seconds = waitSeconds(response.code(), response.header("Retry-After"));
        if (seconds > 0) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            notBefore.accumulateAndGet(until, Math::max);
            LOG.debug("{} {}: {} with Retry-After {} s", request.method(), request.uri(), response.code(), seconds);
        }
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (!"GET".equals(request.method())) {
            return;
        }
        long wait = notBefore.get() - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.SECONDS.toNanos(MAX_WAIT_SECONDS)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing: send (and fail) at once
            }
        }
    }

    /** The wait a throttled answer asks for, in whole seconds (capped); 0 when it asks for none. */
    static long waitSeconds(int code, String retryAfter) {
        if ((code != 429 && code < 500) || retryAfter == null) {
            return 0;
        }
        try {
            long seconds = Long.parseLong(retryAfter.trim());
            return Math.max(0, Math.min(seconds, MAX_WAIT_SECONDS));
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: kube-apiserver sends seconds
        }
    }
}
