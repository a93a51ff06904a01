package io.svcproxy.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

class KernelTestSupportTest {

    @KernelTest(tools = "svcproxy-no-such-tool")
    static class NeedsAMissingTool {
    }

    @Test
    void skipsLoudlyByDefault() {
        KernelTestSupport support = new KernelTestSupport(Map.<String, String>of()::get);
        TestAbortedException e = assertThrows(TestAbortedException.class, () -> support.beforeAll(context()));
        assertTrue(e.getMessage().contains("svcproxy-no-such-tool"), e.getMessage());
    }

    @Test
    void failsWhenKernelTestsAreRequired() {
        KernelTestSupport support = new KernelTestSupport(Map.of(KernelTestSupport.REQUIRE_ENV, "1")::get);
        AssertionError e = assertThrows(AssertionError.class, () -> support.beforeAll(context()));
        assertTrue(e.getMessage().contains("forbids skipping"), e.getMessage());
    }

    private static ExtensionContext context() {
        ExtensionContext context = mock(ExtensionContext.class);
        doReturn(NeedsAMissingTool.class).when(context).getRequiredTestClass();
        return context;
    }
}
