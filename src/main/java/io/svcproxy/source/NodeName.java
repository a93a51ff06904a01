package io.svcproxy.source;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This node's name: --hostname-override as given (as the planner uses it), else the kernel's hostname
 * lower-cased, like kube-proxy's os.Hostname().
 */
public final class NodeName {
    private NodeName() {
    }

    public static String resolve(String override) {
        if (override != null && !override.isBlank()) {
            return override.trim();
        }
        try {
            String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!kernel.isEmpty()) {
                return kernel.toLowerCase(Locale.ROOT);
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new SourceException("cannot find this node's name; set --hostname-override", e);
        }
    }
}
