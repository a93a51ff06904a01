package io.svcproxy.config;

import io.svcproxy.model.Cidr;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyConfigTest {
    @Test
    void defaultsAreKubeProxys() {
        ProxyConfig c = ProxyConfig.defaults();
        assertEquals("", c.hostnameOverride());
        assertEquals(List.of(), c.clusterCidrs());
        assertFalse(c.masqueradeAll());
        assertEquals(14, c.masqueradeBit());
        assertTrue(c.nodePortAddresses().isAll());
        assertTrue(c.localhostNodePorts());
        assertEquals(DetectLocalMode.CLUSTER_CIDR, c.detectLocalMode());
        assertEquals(ProxyMode.IPTABLES, c.mode());
        assertEquals(Duration.ofSeconds(30), c.syncPeriod());
        assertEquals(Duration.ofSeconds(1), c.minSyncPeriod());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void clusterCidrsAreCommaSeparatedOnePerFamily() {
        ProxyConfig c = ProxyConfig.builder().clusterCidrs("10.244.0.0/16, fd00:10:244::/56").build();
        assertEquals(List.of(Cidr.parse("10.244.0.0/16"), Cidr.parse("fd00:10:244::/56")), c.clusterCidrs());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ProxyConfig.builder().clusterCidrs("10.0.0.0/8,10.1.0.0/16").build());
        assertTrue(e.getMessage().startsWith("clusterCIDR"), e.getMessage());
        assertThrows(ConfigException.class, () -> ProxyConfig.builder().clusterCidrs("10.0.0.0/33"));
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        assertMessage("iptables.masqueradeBit", () -> ProxyConfig.builder().masqueradeBit(32).build());
        assertMessage("syncPeriod", () -> ProxyConfig.builder().syncPeriod(Duration.ZERO).build());
        assertMessage("syncPeriod", () -> ProxyConfig.builder().minSyncPeriod(Duration.ofMinutes(5)).build());
        assertMessage("detectLocal.bridgeInterface",
                () -> ProxyConfig.builder().detectLocalMode(DetectLocalMode.BRIDGE_INTERFACE).build());
        assertMessage("detectLocal.interfaceNamePrefix", () -> ProxyConfig.builder()
                .detectLocalMode(DetectLocalMode.INTERFACE_NAME_PREFIX).interfaceNamePrefix("veth -j ACCEPT").build());
        assertMessage("hostnameOverride", () -> ProxyConfig.builder().hostnameOverride("node\n-A").build());
    }

    @Test
    void hostnameIsLowerCasedAndTrimmed() {
        assertEquals("node-a", ProxyConfig.builder().hostnameOverride(" Node-A ").build().hostnameOverride());
    }

    @Test
    void nodePortAddresses() {
        assertTrue(NodePortAddresses.parse(List.of("primary")).primary());
        assertEquals(List.of(Cidr.parse("192.168.56.0/24")), NodePortAddresses.parse(List.of("192.168.56.0/24", "")).cidrs());
        assertThrows(IllegalArgumentException.class, () -> NodePortAddresses.parse(List.of("primary", "10.0.0.0/8")));
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(30), GoDuration.parse("30s"));
        assertEquals(Duration.ofMinutes(1), GoDuration.parse("1m0s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofHours(24), GoDuration.parse("24h0m0s"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("30"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1x"));
        assertEquals("1m0s", GoDuration.format(Duration.ofMinutes(1)));
        assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
        assertEquals("1h2m3.5s", GoDuration.format(Duration.ofMillis(3_723_500)));
    }

    private static void assertMessage(String field, org.junit.jupiter.api.function.Executable e) {
        ConfigException ex = assertThrows(ConfigException.class, e);
        assertTrue(ex.getMessage().startsWith(field + ":"), ex.getMessage());
    }
}
