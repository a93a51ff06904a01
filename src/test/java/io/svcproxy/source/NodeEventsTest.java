package io.svcproxy.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

@EnableKubernetesMockClient(crud = true)
class NodeEventsTest {
    KubernetesClient client;

    private static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void syncFailuresBecomeRateLimitedWarningEventsOnTheNode() {
        StepClock clock = new StepClock();
        NodeEvents events = new NodeEvents(client, "node-a", Duration.ofMinutes(1), clock);
        events.syncFailed("iptables-restore refused the rules: line 3 failed");
        for (int i = 0; i < 5; i++) {
            clock.now = clock.now.plusSeconds(5);
            events.syncFailed("again");
        }
        List<Event> posted = client.v1().events().inNamespace("default").list().getItems();
        assertEquals(1, posted.size(), "one event per minute");
        Event e = posted.get(0);
        assertEquals("Warning", e.getType());
        assertEquals("FailedToSyncProxyRules", e.getReason());
        assertEquals("Node", e.getInvolvedObject().getKind());
        assertEquals("node-a", e.getInvolvedObject().getName());
        assertTrue(e.getMessage().contains("line 3 failed"), e.getMessage());

        clock.now = clock.now.plusSeconds(60);
        events.syncFailed("still failing");
        List<Event> later = client.v1().events().inNamespace("default").list().getItems();
        assertEquals(2, later.size());
        assertTrue(later.stream().anyMatch(ev -> ev.getMessage().contains("6 failures since the last event")),
                "suppressed failures are counted into the next event");
    }
}
