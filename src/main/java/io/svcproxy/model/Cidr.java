package io.svcproxy.model;

import com.google.common.net.InetAddresses;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * An IP prefix, normalised so the host bits are zero (iptables prints it that way, so equality holds
 * between what we render and what iptables-save reads back).
 */
public record Cidr(InetAddress network, int prefixLength) {
    /** IPv4 before IPv6, then by network address (unsigned), then shorter prefix first: a stable order for lists of CIDRs. */
    public static final Comparator<Cidr> ORDER = Comparator.comparing(Cidr::family)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.network.getAddress(), b.network.getAddress()))
            .thenComparingInt(Cidr::prefixLength);

    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = IpFamily.of(network).bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + bits);
        }
        network = mask(network, prefixLength);
    }

    /** Parses "a.b.c.d/n" or "x::y/n"; a bare address gets a full-length prefix. */
    public static Cidr parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
        InetAddress address = Addresses.parseIp(addressPart);
        int bits = IpFamily.of(address).bits();
        int prefix = bits;
        if (slash >= 0) {
            String p = trimmed.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("invalid CIDR '" + text + "': bad prefix length");
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                throw new IllegalArgumentException("invalid CIDR '" + text + "': prefix longer than " + bits);
            }
        }
        return new Cidr(address, prefix);
    }

    public IpFamily family() {
        return IpFamily.of(network);
    }

    public boolean contains(InetAddress address) {
        if (IpFamily.of(address) != family()) {
            return false;
        }
        return mask(address, prefixLength).equals(network);
    }

    /** The form iptables prints: "10.0.0.0/8", "fd00::/64", "10.1.2.3/32". */
    @Override
    public String toString() {
        return Addresses.format(network) + "/" + prefixLength;
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
