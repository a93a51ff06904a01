package io.svcproxy.testing;

import io.svcproxy.model.IpFamily;

/** One iptables backend and family, as the save/restore executables name them. */
public enum IptablesTool {
    NFT_V4(IpFamily.V4, "iptables-nft-save", "iptables-nft-restore"),
    LEGACY_V4(IpFamily.V4, "iptables-legacy-save", "iptables-legacy-restore"),
    NFT_V6(IpFamily.V6, "ip6tables-nft-save", "ip6tables-nft-restore"),
    LEGACY_V6(IpFamily.V6, "ip6tables-legacy-save", "ip6tables-legacy-restore");

    /** Every executable of every backend, for {@link KernelTest#tools()}. */
    public static final String[] ALL_TOOLS = {
        "iptables-nft-save", "iptables-nft-restore", "iptables-legacy-save", "iptables-legacy-restore",
        "ip6tables-nft-save", "ip6tables-nft-restore", "ip6tables-legacy-save", "ip6tables-legacy-restore"};

    public final IpFamily family;
    public final String save;
    public final String restore;

    IptablesTool(IpFamily family, String save, String restore) {
        this.family = family;
        this.save = save;
        this.restore = restore;
    }
}
