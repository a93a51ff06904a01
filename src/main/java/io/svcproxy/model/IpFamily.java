package io.svcproxy.model;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An IP address family; the planner renders one ruleset per family. */
public enum IpFamily {
    V4("IPv4", 32),
    V6("IPv6", 128);

    private final String kubernetesName;
    private final int bits;

    IpFamily(String kubernetesName, int bits) {
        this.kubernetesName = kubernetesName;
        this.bits = bits;
    }

    /** The name Kubernetes uses in spec.ipFamilies ("IPv4", "IPv6"). */
    public String kubernetesName() {
        return kubernetesName;
    }

    public int bits() {
        return bits;
    }

    public static IpFamily of(InetAddress address) {
        return address instanceof Inet4Address ? V4 : V6;
    }

    /** Parses "4", "6", "IPv4" or "IPv6". */
    public static IpFamily parse(String text) {
        switch (text) {
            case "4": case "IPv4": case "ipv4": return V4;
            case "6": case "IPv6": case "ipv6": return V6;
            default: throw new IllegalArgumentException("unknown IP family '" + text + "' (expected 4 or 6)");
        }
    }
}
