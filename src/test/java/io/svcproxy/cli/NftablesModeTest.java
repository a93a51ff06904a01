package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

/** `plan --proxy-mode nftables`: both outputs, and clear refusals of what the mode has no use for. */
class NftablesModeTest {
    private static final String DEMO = "test-fixtures/demo/cluster.yaml";

    /** exit code, stdout, stderr */
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void theCompleteTablesAsNftReadsThem() {
        String[] r = run("plan", "--cluster", DEMO, "--proxy-mode", "nftables", "--output", "nft");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[1].startsWith("table ip kube-proxy {\n\tcomment \"rules for kube-proxy\"\n"), r[1]);
        assertTrue(r[1].contains("\ntable ip6 kube-proxy {\n"), "both families of the dual-stack demo");
    }

    @Test
    void theDiffAgainstAnEmptyNodeIsNftCommandsGroupedByService() {
        String[] r = run("plan", "--cluster", DEMO, "--proxy-mode", "nftables");
        assertEquals("2", r[0], r[2]);
        String out = r[1];
        assertTrue(out.startsWith("# IPv4\n# (shared)\nadd table ip kube-proxy { comment \"rules for kube-proxy\"; }\n"),
                out);
        assertTrue(out.contains("\n# kube-system/kube-dns:dns\n"), out);
        assertTrue(out.contains("\nadd element ip kube-proxy no-endpoint-services { 10.96.50.60 . tcp . 80 comment "
                + "\"web/no-endpoints:http\" : goto reject-chain }\n"), out);
    }

    @Test
    void iptablesOnlyOutputsAndDumpsAreRefusedWithTheReason() {
        String[] restore = run("plan", "--cluster", DEMO, "--proxy-mode", "nftables", "--output", "restore");
        assertEquals("1", restore[0]);
        assertTrue(restore[2].contains("--output restore is not for --proxy-mode nftables (diff or nft)"), restore[2]);
        String[] dump = run("plan", "--cluster", DEMO, "--proxy-mode", "nftables", "--against", DEMO);
        assertEquals("1", dump[0]);
        assertTrue(dump[2].contains("with --proxy-mode nftables use --against empty or live"), dump[2]);
    }
}
