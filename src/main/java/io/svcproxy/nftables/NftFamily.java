package io.svcproxy.nftables;

import io.svcproxy.model.IpFamily;

/** The nf_tables families our tables live in (NFPROTO_IPV4 / NFPROTO_IPV6), as nft names them. */
public enum NftFamily {
    IP(2, "ip"), IP6(10, "ip6");

    private final int nfproto;
    private final String keyword;

    NftFamily(int nfproto, String keyword) {
        this.nfproto = nfproto;
        this.keyword = keyword;
    }

    public int nfproto() {
        return nfproto;
    }

    /** "ip" or "ip6", as in {@code table ip kube-proxy}. */
    public String keyword() {
        return keyword;
    }

    public IpFamily ipFamily() {
        return this == IP ? IpFamily.V4 : IpFamily.V6;
    }

    public static NftFamily of(IpFamily family) {
        return family == IpFamily.V4 ? IP : IP6;
    }

    public static NftFamily fromNfproto(int nfproto) {
        for (NftFamily f : values()) {
            if (f.nfproto == nfproto) {
                return f;
            }
        }
        throw new IllegalArgumentException("not an IP nf_tables family: " + nfproto);
    }
}
