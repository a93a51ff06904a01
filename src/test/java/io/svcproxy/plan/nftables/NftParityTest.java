package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.cli.NftablesOptionsFactory;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.source.ClusterFileSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Our plan, rendered, against what real kube-proxy v1.36.2 installed for the same API objects
 * (test-fixtures/reference/kube-proxy-v1.36.2, README there): node k8sref-node,
 * --cluster-cidr=10.244.0.0/16, other flags default. The service CIDR 10.96.0.0/16 is the API
 * server's default ServiceCIDR there (kube-proxy reads it from the API; the objects file has none).
 */
class NftParityTest {
    static final Path REFERENCE = Path.of(System.getProperty("svcproxy.reference",
            "test-fixtures/reference/kube-proxy-v1.36.2/sets"));
    static final String NODE = "k8sref-node";

    @ParameterizedTest
    @ValueSource(strings = {"mix-1", "mix-2", "mix-3"})
    void renderingMatchesKubeProxy(String set) throws IOException {
        Path dir = REFERENCE.resolve(set);
        assertTrue(Files.isDirectory(dir), "reference data not present: " + dir);
        String expected = Files.readString(dir.resolve("nft-ruleset.txt"));
        String actual = NftText.render(plan(dir.resolve("objects.yaml")).tables());
        Path out = Path.of("target", "nft-parity", set + ".txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, actual);
        List<String> want = NftRulesetNormalizer.normalize(expected);
        List<String> got = NftRulesetNormalizer.normalize(actual);
        if (!want.equals(got)) {
            fail(set + ": rendering differs from kube-proxy's (normalised; - kube-proxy, + ours):\n" + diff(want, got));
        }
    }

    static NftablesPlan plan(Path objects) {
        ClusterSnapshot snapshot = new ClusterFileSource(objects, NODE).load();
        ProxyConfig config = ProxyConfig.builder().hostnameOverride(NODE).clusterCidrs("10.244.0.0/16").build();
        List<NftablesOptions> families = new ArrayList<>();
        for (IpFamily f : IpFamily.values()) {
            families.add(NftablesOptionsFactory.create(config, f, snapshot.node().orElse(null), List.of(), false,
                    List.of(Cidr.parse("10.96.0.0/16"))));
        }
        return NftablesPlanner.plan(snapshot, families);
    }

    /** A small LCS line diff, enough to read what differs. */
    static String diff(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int j = 0;
        int shown = 0;
        while ((i < n || j < m) && shown < 200) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                i++;
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
                sb.append("+ ").append(b.get(j++)).append('\n');
                shown++;
            } else {
                sb.append("- ").append(a.get(i++)).append('\n');
                shown++;
            }
        }
        return sb.toString();
    }
}
