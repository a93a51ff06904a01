package io.svcproxy.source;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates test-fixtures/ (at the repository root) from the test's working directory. */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("test-fixtures"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("test-fixtures/ not found above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("test-fixtures").resolve(relative);
    }

    static ClusterSnapshot load(String relative, String hostname) {
        return new ClusterFileSource(path(relative), hostname).load();
    }

    static ServicePortName spn(String ns, String name, String port, Protocol protocol) {
        return new ServicePortName(ns, name, port, protocol);
    }

    static ServicePort service(ClusterSnapshot s, String ns, String name, String port, Protocol protocol) {
        ServicePort p = s.services().get(spn(ns, name, port, protocol));
        if (p == null) {
            throw new AssertionError("no service port " + ns + "/" + name + ":" + port + "/" + protocol + " in " + s.services().keySet());
        }
        return p;
    }

    static InetAddress ip(String text) {
        return Addresses.parseIp(text);
    }
}
