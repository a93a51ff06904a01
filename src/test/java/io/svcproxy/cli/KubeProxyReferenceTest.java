package io.svcproxy.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What svcproxy's first sync writes over what real kube-proxy v1.36.2 left on a node (iptables mode;
 * the three recorded sets of {@code test-fixtures/reference/kube-proxy-v1.36.2/sets/}): the plan of the
 * same objects with kube-proxy's node name and flags, against kube-proxy's {@code iptables-save}.
 * IPv4: nothing (the same rules; kube-proxy's KUBE-SERVICES order is kept, see OrderFreeChains).
 * IPv6: the two jumps to KUBE-FIREWALL kube-proxy also makes in IPv6, which svcproxy does not plan.
 * KubeProxyTakeoverIT does the same in a kernel, with traffic.
 */
class KubeProxyReferenceTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static List<Path> sets() throws Exception {
        try (var s = Files.list(Path.of("test-fixtures", "reference", "kube-proxy-v1.36.2", "sets"))) {
            List<Path> sets = s.filter(p -> Files.isRegularFile(p.resolve("iptables-save.txt"))).sorted().toList();
            assertEquals(3, sets.size(), "mix-1, mix-2, mix-3: " + sets);
            return sets;
        }
    }

    private static Run plan(Path set, String family) {
        return run("plan", "--cluster", set.resolve("objects.yaml").toString(), "--against",
                set.resolve(family.equals("4") ? "iptables-save.txt" : "ip6tables-save.txt").toString(), "--ip-family", family,
                "--hostname-override", "k8sref-node", "--cluster-cidr", "10.244.0.0/16", "--output", "restore");
    }

    @Test
    void theFirstSyncOverKubeProxysRulesWritesOnlyWhatDiffers() throws Exception {
        for (Path set : sets()) {
            Run v4 = plan(set, "4");
            System.out.println("[kube-proxy reference] " + set + " IPv4: exit " + v4.code() + ", " + v4.out().length() + " bytes");
            assertEquals(ExitCodes.NO_CHANGES, v4.code(), set + ": " + v4.err() + v4.out());
            assertEquals("", v4.out(), set.toString());
            Run v6 = plan(set, "6");
            System.out.println("[kube-proxy reference] " + set + " IPv6: exit " + v6.code() + ", " + v6.out().length() + " bytes");
            assertEquals(ExitCodes.CHANGES, v6.code(), set + ": " + v6.err());
            assertEquals("*filter\n-D INPUT -j KUBE-FIREWALL\n-D OUTPUT -j KUBE-FIREWALL\nCOMMIT\n", v6.out(), set.toString());
        }
    }
}
