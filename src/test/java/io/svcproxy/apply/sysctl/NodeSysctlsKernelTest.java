package io.svcproxy.apply.sysctl;

import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.NetnsSockets;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** route_localnet through the real /proc/sys, from a thread inside a throw-away namespace. */
@KernelTest(tools = "sysctl")
class NodeSysctlsKernelTest {
    @Test
    void setsRouteLocalnetInTheNamespaceOnly() {
        String hostBefore = new ProcSysctl().read(NodeSysctls.ROUTE_LOCALNET).orElseThrow();
        try (NetNs ns = NetNs.create()) {
            assertEquals("0", ns.runChecked("sysctl", "-n", "net.ipv4.conf.all.route_localnet").trim());
            boolean liberal = NetworkNamespaces.callIn(NetnsSockets.nsFile(ns), () -> {
                NodeSysctls sysctls = new NodeSysctls(new ProcSysctl(),
                        Set.of(NodeSysctls.CONNTRACK_MAX), ConntrackSysctlSettings.kubeProxyDefaults(), 2);
                sysctls.apply(true);
                return sysctls.tcpBeLiberal();
            });
            assertEquals("1", ns.runChecked("sysctl", "-n", "net.ipv4.conf.all.route_localnet").trim());
            assertEquals(false, liberal);
        }
        assertEquals(hostBefore, new ProcSysctl().read(NodeSysctls.ROUTE_LOCALNET).orElseThrow(), "host namespace touched");
    }
}
