package io.svcproxy.nftables;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A set's key (or a map's data) type: one nft type or a concatenation of them. */
public record NftKeyType(List<NftType> fields) {
    public NftKeyType {
        fields = List.copyOf(fields);
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a key type needs at least one field");
        }
    }

    public static NftKeyType of(NftType... fields) {
        return new NftKeyType(List.of(fields));
    }

    /** nft's type id of the whole key (concatenations: ids shifted together). */
    public int typeId() {
        int id = 0;
        for (NftType t : fields) {
            id = (id << NftType.CONCAT_BITS) | t.id();
        }
        return id;
    }

    /** The inverse of {@link #typeId()}. */
    public static NftKeyType fromTypeId(int id) {
        List<NftType> out = new ArrayList<>();
        int mask = (1 << NftType.CONCAT_BITS) - 1;
        int rest = id;
        do {
            out.add(0, NftType.byId(rest & mask));
            rest >>>= NftType.CONCAT_BITS;
        } while (rest != 0);
        return new NftKeyType(out);
    }

    /** Length in the kernel: each field padded to 4 bytes when concatenated. */
    public int length() {
        if (fields.size() == 1) {
            return fields.get(0).length();
        }
        return fields.stream().mapToInt(t -> Bytes.pad4(t.length())).sum();
    }

    public boolean concatenated() {
        return fields.size() > 1;
    }

    /** "ipv4_addr . inet_proto . inet_service". */
    public String nftName() {
        return fields.stream().map(NftType::nftName).collect(Collectors.joining(" . "));
    }
}
