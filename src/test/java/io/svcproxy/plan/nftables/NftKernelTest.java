package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Our `nft -f` text is what the kernel takes: the rendering of each reference set loads into a fresh
 * network namespace, and `nft list ruleset` there prints the same text (element order aside: the
 * kernel lists hash sets in its own order).
 */
@KernelTest(tools = {"nft"})
class NftKernelTest {

    @ParameterizedTest
    @ValueSource(strings = {"mix-1", "mix-2", "mix-3"})
    void referenceRenderingLoadsAndListsIdentical(String set) throws IOException {
        Path dir = NftParityTest.REFERENCE.resolve(set);
        assertTrue(Files.isDirectory(dir), "reference data not present: " + dir);
        String rendered = NftText.render(NftParityTest.plan(dir.resolve("objects.yaml")).tables());
        assertLoadsAndListsIdentical(rendered);
    }

    /** Every nftables golden (test-fixtures/golden/NAME/expected-nft.txt), both families. */
    @org.junit.jupiter.api.TestFactory
    List<org.junit.jupiter.api.DynamicTest> everyGoldenLoadsAndListsIdentical() throws IOException {
        List<org.junit.jupiter.api.DynamicTest> tests = new java.util.ArrayList<>();
        try (var dirs = Files.list(Path.of("test-fixtures", "golden"))) {
            for (Path d : dirs.sorted().toList()) {
                Path file = d.resolve("expected-nft.txt");
                if (Files.isRegularFile(file)) {
                    tests.add(org.junit.jupiter.api.DynamicTest.dynamicTest(d.getFileName().toString(),
                            () -> assertLoadsAndListsIdentical(Files.readString(file))));
                }
            }
        }
        return tests;
    }

    /** The replacing form loads over an older table (here: another cluster's) and leaves exactly the new one. */
    @org.junit.jupiter.api.Test
    void replacingFormReplacesWhateverTableIsThere() throws IOException {
        String older = Files.readString(Path.of("test-fixtures", "golden", "loadbalancer", "expected-nft.txt"));
        io.svcproxy.model.ClusterSnapshot snap = new io.svcproxy.source.ClusterFileSource(
                Path.of("test-fixtures", "golden", "affinity", "cluster.yaml"), "node-a").load();
        String replacing = NftText.renderReplacing(NftablesPlanner.plan(snap, List.of(
                NftablesOptions.of(io.svcproxy.plan.PlannerOptions.defaults(io.svcproxy.model.IpFamily.V4, "node-a"))))
                .tables());
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of("nft", "-f", "-"), older);
            ns.runChecked(List.of("nft", "-f", "-"), replacing);
            String listed = ns.runChecked("nft", "list", "table", "ip", "kube-proxy");
            String expected = replacing.substring(replacing.indexOf("table ip kube-proxy {"));
            assertEquals(String.join("\n", NftRulesetNormalizer.normalize(expected)),
                    String.join("\n", NftRulesetNormalizer.normalize(listed)));
        }
    }

    static void assertLoadsAndListsIdentical(String rendered) {
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of("nft", "-f", "-"), rendered);
            String listed = ns.runChecked("nft", "list", "ruleset");
            assertEquals(String.join("\n", NftRulesetNormalizer.normalize(rendered)),
                    String.join("\n", NftRulesetNormalizer.normalize(listed)));
        }
    }
}
