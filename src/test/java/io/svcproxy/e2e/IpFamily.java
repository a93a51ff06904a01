package io.svcproxy.e2e;

/** An IP family, spelled as in the Kubernetes API ({@code spec.ipFamilies}) by {@link #name()}. */
public enum IpFamily {
    IPv4, IPv6;

    /** The family of an IP literal. */
    public static IpFamily of(String address) {
        return address.contains(":") ? IPv6 : IPv4;
    }
}
