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
        if (!(elements instanceof SortedElements)) {
            elements = sorted(name, elements);
        }
    }

    /**
     * Elements known to be sorted by key and distinct: a set keeps such a list as it is (the same
     * object), so re-declaring a set with a patched list costs no sort, and the diff can tell an
     * unchanged element list by identity.
     */
    private static final class SortedElements extends java.util.AbstractList<NftElement>
            implements java.util.RandomAccess {
        private final NftElement[] items;

        SortedElements(NftElement[] items) {
            this.items = items;
        }

        @Override
        public NftElement get(int index) {
            return items[index];
        }

        @Override
        public int size() {
            return items.length;
        }
    }

    private static List<NftElement> sorted(String name, List<NftElement> elements) {
        NftElement[] sorted = elements.toArray(new NftElement[0]);
        java.util.Arrays.sort(sorted, BY_KEY);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].key().equals(sorted[i - 1].key())) {
                throw new IllegalArgumentException("set " + name + ": duplicate key " + sorted[i].key());
            }
        }
        return new SortedElements(sorted);
    }

    /** The element with this key, or null: a binary search of the sorted elements. */
    public NftElement element(Bytes key) {
        int i = indexOf(key);
        return i >= 0 ? elements.get(i) : null;
    }

    private int indexOf(Bytes key) {
        int lo = 0;
        int hi = elements.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = elements.get(mid).key().compareTo(key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /**
     * This set with the elements of {@code removeKeys} taken out and {@code put} put in (replacing
     * an element of the same key): one merge pass over the sorted elements, no sort of them.
     */
    public NftSet patched(java.util.Collection<Bytes> removeKeys, java.util.Collection<NftElement> put) {
        if (removeKeys.isEmpty() && put.isEmpty()) {
            return this;
        }
        java.util.TreeMap<Bytes, NftElement> changes = new java.util.TreeMap<>();
        for (Bytes k : removeKeys) {
            changes.put(k, null);
        }
        for (NftElement e : put) {
            changes.put(e.key(), e);
        }
        // Runs of unchanged elements between the changed keys are copied whole (binary search for
        // each change's place): no comparison per element.
        NftElement[] from = elements instanceof SortedElements se ? se.items : elements.toArray(new NftElement[0]);
        NftElement[] out = new NftElement[from.length + put.size()];
        int n = 0;
        int at = 0;
        for (java.util.Map.Entry<Bytes, NftElement> c : changes.entrySet()) {
            int i = indexOf(c.getKey());
            int stop = i >= 0 ? i : -(i + 1);
            System.arraycopy(from, at, out, n, stop - at);
            n += stop - at;
            at = i >= 0 ? i + 1 : stop;
            if (c.getValue() != null) {
                out[n++] = c.getValue();
            }
        }
        System.arraycopy(from, at, out, n, from.length - at);
        n += from.length - at;
        return new NftSet(name, keyType, dataType, flags, timeoutMillis, size, comment,
                new SortedElements(java.util.Arrays.copyOf(out, n)));
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
        if (newElements.isEmpty() && elements.isEmpty()) {
            return this;
        }
        return new NftSet(name, keyType, dataType, flags, timeoutMillis, size, comment, newElements);
    }

    /** Two sets declare the same thing (elements aside): a change of these needs the set re-created. */
    public boolean sameDeclaration(NftSet o) {
        return name.equals(o.name) && keyType.equals(o.keyType) && java.util.Objects.equals(dataType, o.dataType)
                && flags == o.flags && timeoutMillis == o.timeoutMillis && size == o.size
                && java.util.Objects.equals(comment, o.comment);
    }
}
