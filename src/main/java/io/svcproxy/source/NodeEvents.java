package io.svcproxy.source;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * Kubernetes Events on this Node for sync failures, so "kubectl describe node" shows that the proxy
 * cannot program rules. Rate-limited: at most one Event per interval; failures in between are counted
 * into the next one. Posting never throws into the caller.
 */
public final class NodeEvents {
    private static final Logger LOG = LoggerFactory.getLogger(NodeEvents.class);
    private final KubernetesClient client;
    private final String nodeName;
    private final Duration interval;
    private final Clock clock;
    private Instant lastPosted = Instant.MIN;
    private int suppressed;

    NodeEvents(KubernetesClient client, String nodeName, Duration interval, Clock clock) {
        this.client = client;
        this.nodeName = nodeName;
        this.interval = interval;
        this.clock = clock;
    }

    /** Records a failed sync; posts a Warning Event unless one was posted within the interval. */
    public synchronized void syncFailed(String message) {
        Instant now = clock.instant();
        if (Duration.between(lastPosted, now).compareTo(interval) < 0 && !lastPosted.equals(Instant.MIN)) {
            suppressed++;
            return;
        }
        int count = suppressed + 1;
        suppressed = 0;
        lastPosted = now;
        String note = message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
        try {
            client.v1().events().inNamespace("default").resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(nodeName + "." + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT))
                    .withNamespace("default")
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withKind("Node").withApiVersion("v1")
                            .withName(nodeName).withUid(nodeName).build())
                    .withType("Warning")
                    .withReason("FailedToSyncProxyRules")
                    .withMessage(count > 1 ? note + " (" + count + " failures since the last event)" : note)
                    .withCount(count)
                    .withFirstTimestamp(now.toString())
                    .withLastTimestamp(now.toString())
                    .withNewSource().withComponent("svcproxy").withHost(nodeName).endSource()
                    .withReportingComponent("svcproxy")
                    .withReportingInstance(nodeName)
                    .build()).create();
        } catch (KubernetesClientException | IllegalStateException e) {
            LOG.debug("event for node {} not posted: {}", nodeName, e.getMessage());
        }
    }
}
