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
        assertLoadsAndListsIdentical(NftParityTest.plan(dir.resolve("objects.yaml")).tables());
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

    /**
     * For every golden, the expressions we plan are the ones nft compiles our rendered text into
     * (read back with `nft --debug=netlink list ruleset`): text and expressions say the same thing,
     * for the shapes the reference sets do not have (IPv6, interval sets, interface names, ...).
     */
    @org.junit.jupiter.api.TestFactory
    List<org.junit.jupiter.api.DynamicTest> everyGoldenPlansTheExpressionsNftCompilesItsTextInto() throws IOException {
        List<org.junit.jupiter.api.DynamicTest> tests = new java.util.ArrayList<>();
        for (io.svcproxy.golden.GoldenCase c : io.svcproxy.golden.GoldenCase.all()) {
            tests.add(org.junit.jupiter.api.DynamicTest.dynamicTest(c.name(),
                    () -> assertExpressionsAreNfts(io.svcproxy.golden.NftGoldenFilesTest.plan(c).tables())));
        }
        return tests;
    }

    /** The longest names the API allows (and a long IPv6 endpoint, with affinity) still load. */
    @org.junit.jupiter.api.Test
    void longestNamesLoad() {
        String label = "a".repeat(62) + "z";
        io.svcproxy.model.ServicePortName name = new io.svcproxy.model.ServicePortName(label, label, label,
                io.svcproxy.model.Protocol.SCTP);
        io.svcproxy.model.ServicePort svc = new io.svcproxy.model.ServicePort(name,
                List.of(io.svcproxy.model.Addresses.parseIp("fd00::10")), 65535, 0, List.of(), List.of(), List.of(),
                false, false, 86400, 0);
        io.svcproxy.model.Endpoint ep = io.svcproxy.model.Endpoint.ready(
                io.svcproxy.model.Addresses.parseIp("fd00:1111:2222:3333:4444:5555:6666:7777"), 65535, "node-a");
        io.svcproxy.model.ClusterSnapshot snap = new io.svcproxy.model.ClusterSnapshot(
                new java.util.TreeMap<>(java.util.Map.of(name, svc)), java.util.Map.of(name, List.of(ep)),
                java.util.Optional.empty(), List.of());
        NftablesFamilyPlan plan = NftablesPlanner.planFamily(snap, NftablesOptions.of(
                io.svcproxy.plan.PlannerOptions.defaults(io.svcproxy.model.IpFamily.V6, "node-a")));
        assertEquals(1, plan.services().size());
        assertLoadsAndListsIdentical(List.of(plan.table()));
    }

    /** Overlapping and adjacent source ranges: nft merges them, so the planned set is merged too. */
    @org.junit.jupiter.api.Test
    void overlappingSourceRangesArePlannedMergedAsTheKernelHoldsThem() {
        io.svcproxy.model.ServicePortName name = new io.svcproxy.model.ServicePortName("ns", "lb", "",
                io.svcproxy.model.Protocol.TCP);
        List<io.svcproxy.model.Cidr> ranges = java.util.stream.Stream.of("10.0.0.0/25", "10.0.0.128/25",
                "10.1.0.0/16", "10.1.2.0/24", "192.168.56.0/24").map(io.svcproxy.model.Cidr::parse).toList();
        io.svcproxy.model.ServicePort svc = new io.svcproxy.model.ServicePort(name,
                List.of(io.svcproxy.model.Addresses.parseIp("10.96.0.10")), 80, 30080, List.of(),
                List.of(io.svcproxy.model.Addresses.parseIp("192.168.56.200")), ranges, false, false, 0, 0);
        io.svcproxy.model.ClusterSnapshot snap = new io.svcproxy.model.ClusterSnapshot(
                new java.util.TreeMap<>(java.util.Map.of(name, svc)), java.util.Map.of(name, List.of(
                        io.svcproxy.model.Endpoint.ready(io.svcproxy.model.Addresses.parseIp("10.244.1.1"), 80, "n"))),
                java.util.Optional.empty(), List.of());
        io.svcproxy.plan.PlannerOptions base = io.svcproxy.plan.PlannerOptions.defaults(io.svcproxy.model.IpFamily.V4,
                "node-a").withNode("", io.svcproxy.model.Addresses.parseIp("192.168.56.11"));
        NftablesFamilyPlan plan = NftablesPlanner.planFamily(snap, new NftablesOptions(base,
                List.of(io.svcproxy.model.Cidr.parse("10.96.0.0/16"), io.svcproxy.model.Cidr.parse("10.97.0.0/16"))));
        String text = NftText.render(plan.table());
        org.junit.jupiter.api.Assertions.assertTrue(
                text.contains("ip saddr != { 10.0.0.0/24, 10.1.0.0/16, 192.168.56.0/24 } drop"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("ip daddr { 10.96.0.0/15 } drop"), text);
        assertTrue(NftText.renderLoadable(List.of(plan.table())).contains(
                "ip daddr { 10.96.0.0/15, 10.96.0.0/15 } drop"), "loadable: nft keeps a set of one written twice");
        assertLoadsAndListsIdentical(List.of(plan.table()));
        assertExpressionsAreNfts(List.of(plan.table()));
    }

    /** Loads the tables' text into a fresh netns and compares nft's compilation of it with our expressions. */
    static void assertExpressionsAreNfts(List<io.svcproxy.nftables.NftTable> tables) {
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of("nft", "-f", "-"), NftText.renderLoadable(tables));
            String debug = ns.runChecked("nft", "--debug=netlink", "list", "ruleset");
            java.util.Map<String, NftNetlinkParityTest.Recorded> recorded =
                    NftNetlinkParityTest.parse(List.of(debug.split("\n")));
            for (io.svcproxy.nftables.NftTable t : tables) {
                NftNetlinkParityTest.Recorded want = recorded.get(t.family().keyword());
                assertEquals(NftNetlinkParityTest.render(want.chains()),
                        NftNetlinkParityTest.render(NftNetlinkParityTest.chains(t)), t.family() + " chains");
                assertEquals(new java.util.TreeMap<>(want.sets()), new java.util.TreeMap<>(NftNetlinkParityTest.sets(t)),
                        t.family() + " sets");
            }
        }
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

    /** The loadable form loads; the listing equals the list form. */
    static void assertLoadsAndListsIdentical(List<io.svcproxy.nftables.NftTable> tables) {
        String loadable = NftText.renderLoadable(tables);
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of("nft", "-f", "-"), loadable);
            String listed = ns.runChecked("nft", "list", "ruleset");
            assertEquals(String.join("\n", NftRulesetNormalizer.normalize(NftText.render(tables))),
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
