package io.svcproxy.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshot -> rules, checked against the reviewed expected files. Regenerate with
 * {@code make golden} (SVCPROXY_UPDATE_GOLDEN=1) and review the diff before committing.
 */
class GoldenFilesTest {
    private static final boolean UPDATE = "1".equals(System.getenv("SVCPROXY_UPDATE_GOLDEN"));

    @TestFactory
    List<DynamicTest> everyCaseMatchesItsExpectedRules() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<GoldenCase> cases = GoldenCase.all();
        assertTrue(cases.size() >= 10, "golden cases missing: " + cases);
        for (GoldenCase c : cases) {
            for (IpFamily family : IpFamily.values()) {
                tests.add(DynamicTest.dynamicTest(c.name() + " " + family.kubernetesName(), () -> {
                    String actual = c.render(family);
                    if (UPDATE) {
                        Files.writeString(c.expected(family), actual);
                    }
                    assertTrue(Files.exists(c.expected(family)), "missing " + c.expected(family)
                            + " (run make golden)");
                    assertEquals(Files.readString(c.expected(family)), actual, "golden " + c.name());
                }));
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> renderingIsDeterministic() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> assertEquals(c.render(IpFamily.V4), c.render(IpFamily.V4))));
        }
        return tests;
    }
}
