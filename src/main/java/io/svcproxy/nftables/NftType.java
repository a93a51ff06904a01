package io.svcproxy.nftables;

/**
 * The nft data types our sets and maps use, with nft's type ids (its datatype.h numbering, which
 * nft also stores in the kernel as NFTA_SET_KEY_TYPE / NFTA_SET_DATA_TYPE), their size in bytes and
 * the byte order nft records for them in the set's user data.
 */
public enum NftType {
    VERDICT(1, "verdict", 0, false),
    INTEGER(4, "integer", 4, false),
    IPV4_ADDR(7, "ipv4_addr", 4, true),
    IPV6_ADDR(8, "ipv6_addr", 16, true),
    INET_PROTO(12, "inet_proto", 1, true),
    INET_SERVICE(13, "inet_service", 2, true),
    MARK(19, "mark", 4, false);

    /** nft's concatenated type ids: each field's id shifted in by this many bits. */
    public static final int CONCAT_BITS = 6;
    private final int id;
    private final String nftName;
    private final int length;
    private final boolean bigEndian;

    NftType(int id, String nftName, int length, boolean bigEndian) {
        this.id = id;
        this.nftName = nftName;
        this.length = length;
        this.bigEndian = bigEndian;
    }

    public int id() {
        return id;
    }

    /** As nft prints it in {@code type ipv4_addr . inet_proto}. */
    public String nftName() {
        return nftName;
    }

    public int length() {
        return length;
    }

    public boolean bigEndian() {
        return bigEndian;
    }

    public static NftType byId(int id) {
        for (NftType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown nft data type id " + id);
    }
}
