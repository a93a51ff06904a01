package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

class IpvsPlanCommandTest {
    private static final String CLUSTER = "test-fixtures/golden-ipvs/loadbalancer/cluster.yaml";

    @Test
    void theDiffShowsIpvsIpsetsAndGlue() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "plan", "--cluster", CLUSTER,
                "--proxy-mode", "ipvs", "--hostname-override", "node-a", "--color", "never");
        assertEquals(2, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("## IPVS (against an empty node)"), text);
        assertTrue(text.contains("+ service TCP  10.96.40.1:443 rr"), text);
        assertTrue(text.contains("+ destination TCP 10.96.40.1:443 -> 10.244.1.40:8443 weight 1"), text);
        assertTrue(text.contains("+ kube-ipvs0 203.0.113.200"), text);
        assertTrue(text.contains("+ add KUBE-LOAD-BALANCER-FW 203.0.113.200,tcp:443 -exist"), text);
        assertTrue(text.contains("KUBE-IPVS-FILTER"), text);
    }

    @Test
    void ipvsOutputsNeedIpvsMode() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "plan", "--cluster", CLUSTER,
                "--output", "ipvs");
        assertEquals(1, code);
        assertTrue(err.toString().contains("--proxy-mode ipvs"), err.toString());
    }

    @Test
    void theConfigFilesIpvsSectionIsPlannedUnderTheFlags(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path config = dir.resolve("kube-proxy.yaml");
        java.nio.file.Files.writeString(config, """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                mode: ipvs
                ipvs: {scheduler: wrr}
                """);
        assertTrue(ipvsOutput("--config", config.toString()).contains("TCP  10.96.40.1:443 wrr"));
        assertTrue(ipvsOutput("--config", config.toString(), "--ipvs-scheduler", "lc")
                .contains("TCP  10.96.40.1:443 lc"));
    }

    private static String ipvsOutput(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("plan", "--cluster", CLUSTER,
                "--proxy-mode", "ipvs", "--hostname-override", "node-a", "--output", "ipvs"));
        argv.addAll(java.util.List.of(args));
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), argv.toArray(String[]::new));
        assertEquals(2, code, err.toString());
        return out.toString();
    }

    @Test
    void anUnknownSchedulerIsAnError() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "plan", "--cluster", CLUSTER,
                "--proxy-mode", "ipvs", "--ipvs-scheduler", "bogus");
        assertEquals(1, code);
        assertTrue(err.toString().contains("unknown IPVS scheduler"), err.toString());
    }
}
