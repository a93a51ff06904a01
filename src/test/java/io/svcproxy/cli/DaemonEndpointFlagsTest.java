package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Optional;

class DaemonEndpointFlagsTest {
    @Test
    void parsesIpPortAndDisables() throws Exception {
        assertEquals(Optional.of(new InetSocketAddress("0.0.0.0", 10256)),
                DaemonEndpointFlags.parse("--healthz-bind-address", "0.0.0.0:10256"));
        assertEquals(10249, DaemonEndpointFlags.parse("--metrics-bind-address", "[::1]:10249").orElseThrow().getPort());
        assertEquals(Optional.empty(), DaemonEndpointFlags.parse("--healthz-bind-address", ""));
        assertEquals(Optional.empty(), DaemonEndpointFlags.parse("--healthz-bind-address", "127.0.0.1:0"));
        DaemonEndpointFlags defaults = new DaemonEndpointFlags();
        defaults.resolve(io.svcproxy.config.ProxyConfig.defaults());
        assertEquals(new InetSocketAddress("0.0.0.0", 10256), defaults.healthz().orElseThrow());
        assertEquals(new InetSocketAddress("127.0.0.1", 10249), defaults.metrics().orElseThrow());
    }

    @Test
    void clearErrorsNamingTheFlag() {
        for (String bad : new String[]{"localhost:10256", "10256", "1.2.3.4", "1.2.3.4:70000", "::1:10256",
            "01.2.3.4:80", "1.2.3.4:80x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DaemonEndpointFlags.parse("--healthz-bind-address", bad), bad);
            assertTrue(e.getMessage().startsWith("--healthz-bind-address: "), e.getMessage());
        }
    }
}
