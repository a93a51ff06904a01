package io.svcproxy.nftables;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A set or map of one table. {@code dataType} is null for a plain set; a verdict map has data type
 * {@link NftType#VERDICT}. Flags are the kernel's NFT_SET_* bits. Elements are kept sorted by key,
 * so two sets with the same content compare equal whatever order they were written or dumped in.
 * {@code timeoutMillis} and {@code size} are 0 when not set. Elements of a dynamic set are runtime
 * state (the packet path adds them); the diff never compares them.
 */
public record NftSet(String name, NftKeyType keyType, NftKeyType dataType, int flags, long timeoutMillis, int size,
                     String comment, List<NftElement> elements) {
    public static final int F_ANONYMOUS = 0x1;
    public static final int F_CONSTANT = 0x2;
    public static final int F_INTERVAL = 0x4;
    public static final int F_MAP = 0x8;
    public static final int F_TIMEOUT = 0x10;
    public static final int F_EVAL = 0x20;
    public static final int F_CONCAT = 0x80;

    private static final Comparator<NftElement> BY_KEY = Comparator.comparing(NftElement::key);

    public NftSet {
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
        if (dataType != null && (flags & F_MAP) == 0) {
            throw new IllegalArgumentException("set " + name + ": a data type needs the map flag");
        }
        List<NftElement> sorted = new ArrayList<>(elements);
        sorted.sort(BY_KEY);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).key().equals(sorted.get(i - 1).key())) {
                throw new IllegalArgumentException("set " + name + ": duplicate key " + sorted.get(i).key());
            }
        }
        elements = List.copyOf(sorted);
    }

    public boolean isMap() {
        return dataType != null;
    }

    public boolean isVerdictMap() {
        return dataType != null && dataType.fields().equals(List.of(NftType.VERDICT));
    }

    /** Elements are added by the packet path ("update @set"), not by us. */
    public boolean isDynamic() {
        return (flags & F_EVAL) != 0;
    }

    public boolean isAnonymous() {
        return (flags & F_ANONYMOUS) != 0;
    }

    /** The same set's declaration (name, types, flags, timeout, size, comment) with other elements. */
    public NftSet withElements(List<NftElement> newElements) {
        return new NftSet(name, keyType, dataType, flags, timeoutMillis, size, comment, newElements);
    }

    /** Two sets declare the same thing (elements aside): a change of these needs the set re-created. */
    public boolean sameDeclaration(NftSet o) {
        return name.equals(o.name) && keyType.equals(o.keyType) && java.util.Objects.equals(dataType, o.dataType)
                && flags == o.flags && timeoutMillis == o.timeoutMillis && size == o.size
                && java.util.Objects.equals(comment, o.comment);
    }
}
