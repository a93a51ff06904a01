package io.svcproxy.config;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.Warning;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubeProxyConfigurationLoaderTest {
    private static final String HEAD = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n";

    private static Path fixture(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("test-fixtures"))) {
            dir = dir.getParent();
        }
        return dir.resolve("test-fixtures/config").resolve(name);
    }

    private static LoadedConfiguration parse(String body) {
        return KubeProxyConfigurationLoader.parse(HEAD + body, "test.yaml");
    }

    @Test
    void kubeadmConfigIsAllDefaultsWithoutWarnings() {
        LoadedConfiguration c = KubeProxyConfigurationLoader.load(fixture("kubeadm-kube-proxy.yaml"));
        assertEquals(List.of(), c.warnings());
        assertEquals(ProxyConfig.defaults().toBuilder().clusterCidrs("10.244.0.0/16,fd00:10:244::/56")
                .kubeconfig("/var/lib/kube-proxy/kubeconfig.conf").build(), c.config());
    }

    @Test
    void mapsEverySupportedField() {
        ProxyConfig c = parse("""
                hostnameOverride: node-a
                clusterCIDR: 10.244.0.0/16
                mode: iptables
                iptables:
                  masqueradeAll: true
                  masqueradeBit: 15
                  localhostNodePorts: false
                  syncPeriod: 1m0s
                  minSyncPeriod: 500ms
                nodePortAddresses: [192.168.56.0/24]
                detectLocalMode: InterfaceNamePrefix
                detectLocal:
                  interfaceNamePrefix: veth
                """).config();
        assertEquals("node-a", c.hostnameOverride());
        assertEquals(List.of(Cidr.parse("10.244.0.0/16")), c.clusterCidrs());
        assertTrue(c.masqueradeAll());
        assertEquals(15, c.masqueradeBit());
        assertEquals(false, c.localhostNodePorts());
        assertEquals(Duration.ofMinutes(1), c.syncPeriod());
        assertEquals(Duration.ofMillis(500), c.minSyncPeriod());
        assertEquals(List.of(Cidr.parse("192.168.56.0/24")), c.nodePortAddresses().cidrs());
        assertEquals(DetectLocalMode.INTERFACE_NAME_PREFIX, c.detectLocalMode());
        assertEquals("veth", c.interfaceNamePrefix());
    }

    @Test
    void topLevelPeriodsWin() {
        ProxyConfig c = parse("syncPeriod: 10s\nminSyncPeriod: 2s\niptables: {syncPeriod: 1m0s}\n").config();
        assertEquals(Duration.ofSeconds(10), c.syncPeriod());
        assertEquals(Duration.ofSeconds(2), c.minSyncPeriod());
    }

    @Test
    void unknownAndUnsupportedFieldsWarn() {
        LoadedConfiguration c = parse("""
                fooBar: 1
                iptables: {masqueradeBit: 14, shinyNew: true}
                healthzBindAddress: 0.0.0.0:10256
                metricsBindAddress: 0.0.0.0:10249
                conntrack: {maxPerCore: 0}
                featureGates: {SomeGate: true}
                """);
        assertEquals(List.of("fooBar", "iptables.shinyNew", "featureGates"),
                c.warnings().stream().map(Warning::field).toList());
        assertTrue(c.warnings().get(0).message().contains("unknown"));
        assertTrue(c.warnings().get(2).message().contains("not supported"));
    }

    @Test
    void ipvsModeReadsTheIpvsSectionWithoutWarnings() {
        LoadedConfiguration loaded = parse("""
                mode: ipvs
                iptables: {syncPeriod: 1m0s}
                ipvs:
                  syncPeriod: 20s
                  minSyncPeriod: 2s
                  scheduler: wrr
                  excludeCIDRs: [192.168.0.0/16]
                  strictARP: true
                  tcpTimeout: 15m0s
                  tcpFinTimeout: 30s
                  udpTimeout: 1m0s
                """);
        ProxyConfig c = loaded.config();
        assertEquals(List.of(), loaded.warnings());
        assertEquals(ProxyMode.IPVS, c.mode());
        assertEquals(java.time.Duration.ofSeconds(20), c.syncPeriod(), "ipvs.syncPeriod in IPVS mode");
        assertEquals(java.time.Duration.ofSeconds(2), c.minSyncPeriod());
        assertEquals("wrr", c.ipvs().scheduler());
        assertEquals(List.of(Cidr.parse("192.168.0.0/16")), c.ipvs().excludeCidrs());
        assertTrue(c.ipvs().strictArp());
        assertEquals(java.time.Duration.ofMinutes(15), c.ipvs().tcpTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), c.ipvs().tcpFinTimeout());
        assertEquals(java.time.Duration.ofMinutes(1), c.ipvs().udpTimeout());
    }

    @Test
    void aBadIpvsSchedulerIsAnErrorNamingTheField() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> parse("mode: ipvs\nipvs: {scheduler: fastest}\n"));
        assertTrue(e.getMessage().contains("ipvs.scheduler"), e.getMessage());
    }

    @Test
    void daemonFieldsAreRead() {
        ProxyConfig c = parse("""
                healthzBindAddress: 0.0.0.0:10266
                metricsBindAddress: 0.0.0.0:10249
                oomScoreAdj: -500
                conntrack: {maxPerCore: 0, min: 1000, tcpEstablishedTimeout: 2h0m0s, tcpCloseWaitTimeout: 30m0s}
                """).config();
        assertEquals("0.0.0.0:10266", c.healthzBindAddress());
        assertEquals("0.0.0.0:10249", c.metricsBindAddress());
        assertEquals(-500, c.oomScoreAdj());
        assertEquals(new ProxyConfig.Conntrack(0, 1000, 7200, 1800), c.conntrack());
        ProxyConfig defaults = parse("oomScoreAdj: null\n").config();
        assertEquals("0.0.0.0:10256", defaults.healthzBindAddress());
        assertEquals(ProxyConfig.Conntrack.KUBE_PROXY_DEFAULTS, defaults.conntrack());
    }

    @Test
    void badValuesNameTheField() {
        assertError("apiVersion", () -> KubeProxyConfigurationLoader.parse(
                "apiVersion: v1\nkind: KubeProxyConfiguration\n", "test.yaml"));
        assertError("kind", () -> KubeProxyConfigurationLoader.parse(
                "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n", "test.yaml"));
        assertError("iptables.masqueradeBit", () -> parse("iptables: {masqueradeBit: 40}\n"));
        assertError("iptables.masqueradeBit", () -> parse("iptables: {masqueradeBit: many}\n"));
        assertError("clusterCIDR", () -> parse("clusterCIDR: 10.0.0.0/40\n"));
        assertError("mode", () -> parse("mode: userspace\n"));
        assertError("detectLocalMode", () -> parse("detectLocalMode: Magic\n"));
        assertError("iptables.syncPeriod", () -> parse("iptables: {syncPeriod: 30}\n"));
        assertError("nodePortAddresses", () -> parse("nodePortAddresses: [not-a-cidr]\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> parse("mode: [\n"));
        assertTrue(e.getMessage().startsWith("test.yaml: not valid YAML"), e.getMessage());
    }

    @Test
    void nftablesModeReadsTheNftablesSection() {
        LoadedConfiguration loaded = parse("""
                mode: nftables
                iptables:
                  masqueradeAll: false
                  masqueradeBit: 15
                  syncPeriod: 1m0s
                  minSyncPeriod: 500ms
                nftables:
                  masqueradeAll: true
                  masqueradeBit: 16
                  syncPeriod: 45s
                  minSyncPeriod: 2s
                """);
        ProxyConfig c = loaded.config();
        assertEquals(List.of(), loaded.warnings());
        assertEquals(ProxyMode.NFTABLES, c.mode());
        assertTrue(c.masqueradeAll());
        assertEquals(16, c.masqueradeBit());
        assertEquals(Duration.ofSeconds(45), c.syncPeriod());
        assertEquals(Duration.ofSeconds(2), c.minSyncPeriod());
    }

    @Test
    void theNftablesSectionIsIgnoredInIptablesMode() {
        LoadedConfiguration loaded = parse("""
                mode: iptables
                nftables:
                  masqueradeBit: 16
                  syncPeriod: 45s
                """);
        assertEquals(List.of(), loaded.warnings());
        assertEquals(ProxyConfig.DEFAULT_MASQUERADE_BIT, loaded.config().masqueradeBit());
        assertEquals(ProxyConfig.DEFAULT_SYNC_PERIOD, loaded.config().syncPeriod());
    }

    private static void assertError(String field, org.junit.jupiter.api.function.Executable e) {
        ConfigException ex = assertThrows(ConfigException.class, e);
        assertTrue(ex.getMessage().startsWith("test.yaml: " + field), ex.getMessage());
    }
}
