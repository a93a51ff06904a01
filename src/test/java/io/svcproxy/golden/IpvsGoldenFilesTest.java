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

/** IPVS mode: snapshot -> IPVS state, ipsets and glue rules, checked against the reviewed expected files. */
class IpvsGoldenFilesTest {
    private static final boolean UPDATE = "1".equals(System.getenv("SVCPROXY_UPDATE_GOLDEN"));

    @TestFactory
    List<DynamicTest> everyCaseMatchesItsExpectedFiles() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<IpvsGoldenCase> cases = IpvsGoldenCase.all();
        assertTrue(cases.size() >= 6, "golden-ipvs cases missing: " + cases);
        for (IpvsGoldenCase c : cases) {
            for (IpFamily family : IpFamily.values()) {
                for (IpvsGoldenCase.Kind kind : IpvsGoldenCase.Kind.values()) {
                    tests.add(DynamicTest.dynamicTest(c.name() + " " + family.kubernetesName() + " " + kind, () -> {
                        String actual = c.render(family, kind);
                        if (UPDATE) {
                            Files.writeString(c.expected(family, kind), actual);
                        }
                        assertTrue(Files.exists(c.expected(family, kind)), "missing " + c.expected(family, kind));
                        assertEquals(Files.readString(c.expected(family, kind)), actual, "golden-ipvs " + c.name());
                    }));
                }
            }
        }
        return tests;
    }
}
