package io.svcproxy.apply.sysctl;

import java.util.Optional;

/** Reads and writes kernel parameters by their /proc/sys path ("net/ipv4/ip_forward"). */
public interface SysctlAccess {
    /** The trimmed value, or empty when the key does not exist (e.g. its module is not loaded). */
    Optional<String> read(String key);

    /** Writes a value; throws {@link SysctlException} when the key is missing or read-only. */
    void write(String key, String value);
}
