package io.svcproxy.apply.sysctl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeSysctlsTest {
    @TempDir
    Path root;

    private void set(String key, String value) throws IOException {
        Path p = root.resolve(key);
        Files.createDirectories(p.getParent());
        Files.writeString(p, value + "\n");
    }

    private String get(String key) throws IOException {
        return Files.readString(root.resolve(key)).trim();
    }

    private NodeSysctls sysctls(Set<String> skip, int cores) {
        return new NodeSysctls(new ProcSysctl(root), skip, ConntrackSysctlSettings.kubeProxyDefaults(), cores);
    }

    private void fullNode() throws IOException {
        set(NodeSysctls.ROUTE_LOCALNET, "0");
        set(NodeSysctls.CONNTRACK_MAX, "65536");
        set(NodeSysctls.TCP_TIMEOUT_ESTABLISHED, "432000");
        set(NodeSysctls.TCP_TIMEOUT_CLOSE_WAIT, "60");
        set(NodeSysctls.IP_FORWARD, "1");
        set(NodeSysctls.TCP_BE_LIBERAL, "0");
    }

    private void ipvsNode(String osRelease) throws IOException {
        set(NodeSysctls.OS_RELEASE, osRelease);
        set(NodeSysctls.VS_CONNTRACK, "0");
        set(NodeSysctls.VS_CONN_REUSE_MODE, "1");
        set(NodeSysctls.VS_EXPIRE_NODEST_CONN, "0");
        set(NodeSysctls.VS_EXPIRE_QUIESCENT_TEMPLATE, "0");
        set(NodeSysctls.ARP_IGNORE, "0");
        set(NodeSysctls.ARP_ANNOUNCE, "0");
        set(NodeSysctls.IP_FORWARD, "1");
    }

    @Test
    void ipvsSettingsAsKubeProxySetsThemOnAModernKernel() throws IOException {
        ipvsNode("6.1.0-26-amd64");
        sysctls(Set.of(), 2).applyIpvs(false);
        assertEquals("1", get(NodeSysctls.VS_CONNTRACK));
        assertEquals("1", get(NodeSysctls.VS_EXPIRE_NODEST_CONN));
        assertEquals("1", get(NodeSysctls.VS_EXPIRE_QUIESCENT_TEMPLATE));
        assertEquals("1", get(NodeSysctls.VS_CONN_REUSE_MODE), "5.9+ fixed it: left alone");
        assertEquals("0", get(NodeSysctls.ARP_IGNORE), "no strict ARP unless asked");
        assertEquals("0", get(NodeSysctls.ARP_ANNOUNCE));
    }

    @Test
    void connReuseModeOnOlderKernelsStrictArpAndSkips() throws IOException {
        ipvsNode("5.4.0-150-generic");
        sysctls(Set.of(NodeSysctls.VS_EXPIRE_NODEST_CONN), 2).applyIpvs(true);
        assertEquals("0", get(NodeSysctls.VS_CONN_REUSE_MODE), "kernels 4.1..5.8 get 0");
        assertEquals("1", get(NodeSysctls.ARP_IGNORE));
        assertEquals("2", get(NodeSysctls.ARP_ANNOUNCE));
        assertEquals("0", get(NodeSysctls.VS_EXPIRE_NODEST_CONN), "skipped");
        ipvsNode("3.10.0-1160.el7");
        sysctls(Set.of(), 2).applyIpvs(false);
        assertEquals("1", get(NodeSysctls.VS_CONN_REUSE_MODE), "too old to have it: not touched");
    }

    @Test
    void appliesKubeProxyValues() throws IOException {
        fullNode();
        sysctls(Set.of(), 8).apply(true);
        assertEquals("1", get(NodeSysctls.ROUTE_LOCALNET));
        assertEquals("262144", get(NodeSysctls.CONNTRACK_MAX));   // 32768 * 8 > min 131072
        assertEquals("86400", get(NodeSysctls.TCP_TIMEOUT_ESTABLISHED));
        assertEquals("3600", get(NodeSysctls.TCP_TIMEOUT_CLOSE_WAIT));
    }

    @Test
    void conntrackMaxHasAFloorAndIsNeverLowered() throws IOException {
        fullNode();
        sysctls(Set.of(), 2).apply(false);
        assertEquals("131072", get(NodeSysctls.CONNTRACK_MAX));   // 32768 * 2 < min
        set(NodeSysctls.CONNTRACK_MAX, "1000000");
        sysctls(Set.of(), 2).apply(false);
        assertEquals("1000000", get(NodeSysctls.CONNTRACK_MAX));
    }

    @Test
    void routeLocalnetOnlyForLocalhostNodePorts() throws IOException {
        fullNode();
        sysctls(Set.of(), 4).apply(false);
        assertEquals("0", get(NodeSysctls.ROUTE_LOCALNET));
    }

    @Test
    void skippedKeysAreLeftAlone() throws IOException {
        fullNode();
        sysctls(Set.of(NodeSysctls.ROUTE_LOCALNET, NodeSysctls.TCP_TIMEOUT_CLOSE_WAIT), 4).apply(true);
        assertEquals("0", get(NodeSysctls.ROUTE_LOCALNET));
        assertEquals("60", get(NodeSysctls.TCP_TIMEOUT_CLOSE_WAIT));
        assertEquals("86400", get(NodeSysctls.TCP_TIMEOUT_ESTABLISHED));
    }

    @Test
    void missingKeysAreWarningsNotFailures() throws IOException {
        set(NodeSysctls.ROUTE_LOCALNET, "0");   // no nf_conntrack module, no ip_forward
        NodeSysctls s = sysctls(Set.of(), 4);
        s.apply(true);
        s.apply(true);
        assertEquals("1", get(NodeSysctls.ROUTE_LOCALNET));
        assertFalse(Files.exists(root.resolve(NodeSysctls.CONNTRACK_MAX)), "must not create missing keys");
        assertFalse(s.tcpBeLiberal());
    }

    @Test
    void garbageValuesAreWarningsNotFailures() throws IOException {
        fullNode();
        set(NodeSysctls.TCP_TIMEOUT_ESTABLISHED, "not-a-number");
        set(NodeSysctls.TCP_BE_LIBERAL, "?");
        NodeSysctls s = sysctls(Set.of(), 4);
        s.apply(false);
        assertEquals("not-a-number", get(NodeSysctls.TCP_TIMEOUT_ESTABLISHED));
        assertEquals("3600", get(NodeSysctls.TCP_TIMEOUT_CLOSE_WAIT));
        assertFalse(s.tcpBeLiberal());
    }

    @Test
    void readsTcpBeLiberal() throws IOException {
        fullNode();
        set(NodeSysctls.TCP_BE_LIBERAL, "1");
        assertTrue(sysctls(Set.of(), 1).tcpBeLiberal());
    }

    @Test
    void zeroSettingsLeaveConntrackAlone() throws IOException {
        fullNode();
        new NodeSysctls(new ProcSysctl(root), Set.of(), new ConntrackSysctlSettings(0, 0, 0, 0), 64).apply(false);
        assertEquals("65536", get(NodeSysctls.CONNTRACK_MAX));
        assertEquals("432000", get(NodeSysctls.TCP_TIMEOUT_ESTABLISHED));
    }

    @Test
    void procSysctlReadsWritesAndRejectsBadKeys() throws IOException {
        set("net/ipv4/ip_forward", "0");
        ProcSysctl p = new ProcSysctl(root);
        assertEquals(Optional.of("0"), p.read("net.ipv4.ip_forward"));
        p.write("net/ipv4/ip_forward", "1");
        assertEquals(Optional.of("1"), p.read("net/ipv4/ip_forward"));
        assertEquals(Optional.empty(), p.read("net/nope"));
        assertThrows(SysctlException.class, () -> p.write("net/nope", "1"));
        assertThrows(IllegalArgumentException.class, () -> p.read("../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> p.read("/etc/passwd"));
    }
}
