package io.svcproxy.nftables;

/**
 * One element of a set or map: its key (concatenations padded as in the kernel), and for a map
 * either {@code data} (data maps) or {@code verdict} (verdict maps); an optional comment.
 */
public record NftElement(Bytes key, Bytes data, NftVerdict verdict, String comment) {
    public NftElement {
        if (key == null) {
            throw new IllegalArgumentException("an element needs a key");
        }
        if (data != null && verdict != null) {
            throw new IllegalArgumentException("an element maps to data or to a verdict, not both");
        }
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
    }

    public static NftElement key(Bytes key) {
        return new NftElement(key, null, null, null);
    }

    public static NftElement verdict(Bytes key, NftVerdict verdict, String comment) {
        return new NftElement(key, null, verdict, comment);
    }

    public static NftElement data(Bytes key, Bytes data) {
        return new NftElement(key, data, null, null);
    }
}
