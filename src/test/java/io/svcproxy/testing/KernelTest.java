package io.svcproxy.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that needs root and real tools (network namespaces, iptables, ...). Tagged
 * "kernel"; {@link KernelTestSupport} skips it loudly, or fails it when SVCPROXY_REQUIRE_KERNEL_TESTS=1.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(KernelTestSupport.class)
public @interface KernelTest {
    /** Executables (looked up in PATH, /usr/sbin, /sbin) the tests need besides "ip". */
    String[] tools() default {};
}
