package io.svcproxy.netlink;

import io.svcproxy.netlink.ipvs.IpvsConstants;
import io.svcproxy.netlink.route.RouteConstants;
import io.svcproxy.testing.KernelTestSupport;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles native/ipvs_constants.c with gcc against the kernel UAPI headers (linux-libc-dev), runs
 * it, and checks every NAME=value line against the Java constant of the same name; and, the other
 * way, that every int constant of IpvsConstants and RouteConstants is printed by the C program.
 * A constant typed wrong or added without its C twin fails here.
 */
class NativeConstantsTest {
    private static final List<Class<?>> CONSTANT_CLASSES =
            List.of(NetlinkConstants.class, IpvsConstants.class, RouteConstants.class);
    /** sizeof lines whose Java twin has the kernel's macro name. */
    private static final Map<String, String> ALIASES = Map.of(
            "NLMSGHDR_LEN", "NLMSG_HDRLEN", "NLATTR_LEN", "NLA_HDRLEN", "GENLMSGHDR_LEN", "GENL_HDRLEN");

    @Test
    void everyConstantMatchesTheKernelHeaders(@TempDir Path tmp) throws Exception {
        Path source = Path.of("native/ipvs_constants.c").toAbsolutePath();
        assertTrue(Files.exists(source), source + " missing");
        if (KernelTestSupport.findTool("gcc") == null || !Files.exists(Path.of("/usr/include/linux/ip_vs.h"))) {
            KernelTestSupport.skipOrFail("NativeConstantsTest cannot run: gcc or /usr/include/linux/ip_vs.h missing "
                    + "(run scripts/install-test-deps.sh as root: gcc libc6-dev linux-libc-dev)");
        }
        Path binary = tmp.resolve("ipvs_constants");
        NetNs.Result cc = NetNs.exec(List.of("gcc", "-Wall", "-Werror", "-o", binary.toString(), source.toString()), null);
        assertEquals(0, cc.exitCode(), "gcc failed:\n" + cc.stderr());
        NetNs.Result run = NetNs.exec(List.of(binary.toString()), null);
        assertEquals(0, run.exitCode(), run.stderr());

        Map<String, Long> java = javaConstants();
        Map<String, Long> c = new LinkedHashMap<>();
        for (String line : run.stdout().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] kv = line.split("=", 2);
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        assertTrue(c.size() > 100, "too few constants printed: " + c.size());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Long> e : c.entrySet()) {
            String name = ALIASES.getOrDefault(e.getKey(), e.getKey());
            Long ours = java.get(name);
            if (ours == null) {
                problems.add(e.getKey() + ": printed by the C program, no Java constant " + name);
            } else if (ours.longValue() != e.getValue().longValue()) {
                problems.add(name + ": Java " + ours + ", kernel headers " + e.getValue());
            }
        }
        for (Class<?> k : List.of(IpvsConstants.class, RouteConstants.class)) {
            for (String name : intConstants(k).keySet()) {
                if (!c.containsKey(name)) {
                    problems.add(k.getSimpleName() + "." + name + " is not checked: add it to native/ipvs_constants.c");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Class<?> k : CONSTANT_CLASSES) {
            out.putAll(intConstants(k));
        }
        return out;
    }

    private static Map<String, Long> intConstants(Class<?> k) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Field f : k.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && Modifier.isPublic(m) && f.getType() == int.class) {
                try {
                    out.put(f.getName(), (long) f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
