package io.svcproxy.apply;

import io.svcproxy.diff.BatchPolicy;
import io.svcproxy.model.IpFamily;

import java.util.List;

/**
 * Which iptables implementation a node uses. Rules written through the wrong one are invisible to
 * the rest of the host, so every tool invocation goes through the chosen backend's binaries.
 */
public enum IptablesBackend {
    NFT("nft"), LEGACY("legacy");

    private final String suffix;

    IptablesBackend(String suffix) {
        this.suffix = suffix;
    }

    public String save(IpFamily family) {
        return binary(family, "save");
    }

    public String restore(IpFamily family) {
        return binary(family, "restore");
    }

    public String iptables(IpFamily family) {
        return (family == IpFamily.V4 ? "iptables-" : "ip6tables-") + suffix;
    }

    private String binary(IpFamily family, String verb) {
        return iptables(family) + "-" + verb;
    }

    /**
     * How a large sync is staged on this backend: nft pays superlinearly for the chains one payload
     * names, legacy rewrites the whole table per restore (so fewer, larger batches).
     */
    public BatchPolicy batchPolicy() {
        return BatchPolicy.chains(this == NFT ? BatchPolicy.NFT_CHAINS : BatchPolicy.LEGACY_CHAINS);
    }

    /** Parses the --iptables-backend flag value ("nft", "legacy"). */
    public static IptablesBackend parse(String text) {
        for (IptablesBackend b : values()) {
            if (b.suffix.equals(text)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown iptables backend '" + text + "' (expected one of "
                + List.of("nft", "legacy") + ")");
    }

    @Override
    public String toString() {
        return suffix;
    }
}
