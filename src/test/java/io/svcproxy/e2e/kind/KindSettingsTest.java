package io.svcproxy.e2e.kind;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KindSettingsTest {
    @Test
    void defaultsFitRunShsClusterAndBlankMeansUnset() {
        // Maven passes a profile's empty properties as "".
        KindSettings s = KindSettings.from(k -> k.equals("e2e.context") ? "" : null);
        assertNull(s.kubeconfig());
        assertNull(s.context());
        assertEquals(KindSettings.DEFAULT_AGNHOST, s.agnhostImage());
        assertEquals("kube-system", s.proxyNamespace());
        assertEquals(Map.of("app.kubernetes.io/name", "svcproxy"), s.proxyLabels());
        assertTrue(s.sctp());
        assertEquals(Duration.ofSeconds(60), s.convergence());
        assertEquals(Path.of("target/e2e-kind"), s.dir());
    }

    @Test
    void everySettingFromItsProperty() {
        Map<String, String> p = Map.of("e2e.kubeconfig", "/tmp/kc", "e2e.context", "kind-x", "e2e.sctp", "none",
                "e2e.proxyNamespace", "proxy", "e2e.proxySelector", "app=p", "e2e.convergenceSeconds", "90",
                "e2e.podReadySeconds", "30", "e2e.agnhostImage", "agnhost:local", "e2e.dir", "/tmp/d");
        KindSettings s = KindSettings.from(p::get);
        assertEquals(Path.of("/tmp/kc"), s.kubeconfig());
        assertEquals("kind-x", s.context());
        assertFalse(s.sctp());
        assertEquals("proxy", s.proxyNamespace());
        assertEquals(Map.of("app", "p"), s.proxyLabels());
        assertEquals(Duration.ofSeconds(90), s.convergence());
        assertEquals(Duration.ofSeconds(30), s.podReady());
        assertEquals("agnhost:local", s.agnhostImage());
        assertEquals(Path.of("/tmp/d"), s.dir());
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> KindSettings.from(k -> k.equals("e2e.sctp") ? "maybe" : null));
        assertThrows(IllegalArgumentException.class, () -> KindSettings.from(k -> k.equals("e2e.proxySelector") ? "a=b,c=d" : null));
    }
}
