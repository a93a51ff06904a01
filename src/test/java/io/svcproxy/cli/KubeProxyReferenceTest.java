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
 * Nothing, in either family: the same rules (kube-proxy's KUBE-SERVICES order is kept, see
 * OrderFreeChains), IPv6's empty KUBE-FIREWALL and its jumps from INPUT and OUTPUT included.
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
            for (String family : List.of("4", "6")) {
                Run r = plan(set, family);
                System.out.println("[kube-proxy reference] " + set + " IPv" + family + ": exit " + r.code() + ", "
                        + r.out().length() + " bytes");
                assertEquals(ExitCodes.NO_CHANGES, r.code(), set + " IPv" + family + ": " + r.err() + r.out());
                assertEquals("", r.out(), set + " IPv" + family);
            }
        }
    }
}
