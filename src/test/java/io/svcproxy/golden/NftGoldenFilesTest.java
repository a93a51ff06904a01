package io.svcproxy.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.config.DetectLocalMode;
import io.svcproxy.config.NodePortAddresses;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.nftables.NftText;
import io.svcproxy.plan.nftables.NftablesPlan;
import io.svcproxy.plan.nftables.NftablesOptions;
import io.svcproxy.cli.NftablesOptionsFactory;
import io.svcproxy.plan.nftables.NftablesPlanner;
import io.svcproxy.source.ClusterFileSource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nftables mode of every golden case: test-fixtures/golden/NAME/expected-nft.txt is the rendered plan
 * of both families (the same cluster.yaml and args as the iptables goldens), reviewed against what
 * kube-proxy v1.36 does. Regenerate with SVCPROXY_UPDATE_GOLDEN=1 and review the diff. Each file is
 * also checked with `nft -c -f` (in a fresh network namespace) when nft and unshare can be run as root.
 */
public class NftGoldenFilesTest {
    private static final boolean UPDATE = "1".equals(System.getenv("SVCPROXY_UPDATE_GOLDEN"));

    static Path expected(GoldenCase c) {
        return c.dir().resolve("expected-nft.txt");
    }

    @TestFactory
    List<DynamicTest> everyCaseMatchesItsExpectedRuleset() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<GoldenCase> cases = GoldenCase.all();
        assertTrue(cases.size() >= 15, "golden cases missing: " + cases);
        for (GoldenCase c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                String actual = render(c);
                if (UPDATE) {
                    Files.writeString(expected(c), actual);
                }
                assertTrue(Files.exists(expected(c)), "missing " + expected(c) + " (SVCPROXY_UPDATE_GOLDEN=1)");
                assertEquals(Files.readString(expected(c)), actual, "nft golden " + c.name());
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> everyExpectedRulesetIsValidNftInput() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        if (!nftCanCheck()) {
            return tests;
        }
        for (GoldenCase c : GoldenCase.all()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                // In a namespace of its own, so whatever tables this host has cannot make the check fail.
                Process p = new ProcessBuilder("unshare", "--net", "nft", "-c", "-f", expected(c).toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "nft -c timed out");
                assertEquals(0, p.exitValue(), "nft -c -f " + expected(c) + ":\n" + out);
            }));
        }
        return tests;
    }

    /** The rendered plan of both families for a golden case. */
    static String render(GoldenCase c) throws IOException {
        return NftText.render(plan(c).tables());
    }

    /** The plan of both families for a golden case (its args, no service CIDRs known). */
    public static NftablesPlan plan(GoldenCase c) throws IOException {
        ProxyConfig config = config(c.args());
        ClusterSnapshot snapshot = new ClusterFileSource(c.dir().resolve("cluster.yaml"),
                config.hostnameOverride().isEmpty() ? null : config.hostnameOverride()).load();
        List<NftablesOptions> families = new ArrayList<>();
        for (IpFamily f : IpFamily.values()) {
            families.add(NftablesOptionsFactory.create(config, f, snapshot.node().orElse(null), List.of(), false,
                    List.of()));
        }
        return NftablesPlanner.plan(snapshot, families);
    }

    /** The golden args use only these flags (the CLI's own parsing is iptables-mode code). */
    static ProxyConfig config(List<String> args) {
        ProxyConfig.Builder b = ProxyConfig.builder();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            String v = kv.length > 1 ? kv[1] : "true";
            switch (kv[0]) {
                case "--hostname-override" -> b.hostnameOverride(v);
                case "--cluster-cidr" -> b.clusterCidrs(v);
                case "--detect-local-mode" -> b.detectLocalMode(DetectLocalMode.parse(v));
                case "--pod-interface-name-prefix" -> b.interfaceNamePrefix(v);
                case "--pod-bridge-interface" -> b.bridgeInterface(v);
                case "--masquerade-all" -> b.masqueradeAll(Boolean.parseBoolean(v));
                case "--iptables-masquerade-bit" -> b.masqueradeBit(Integer.parseInt(v));
                case "--iptables-localhost-nodeports" -> b.localhostNodePorts(Boolean.parseBoolean(v));
                case "--nodeport-addresses" -> b.nodePortAddresses(NodePortAddresses.parse(Arrays.asList(v.split(","))));
                default -> throw new IllegalArgumentException("golden arg not understood here: " + arg);
            }
        }
        return b.build();
    }

    private static boolean nftCanCheck() {
        try {
            Process p = new ProcessBuilder("unshare", "--net", "nft", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
                    && "root".equals(System.getProperty("user.name"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
