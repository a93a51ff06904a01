package io.svcproxy.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;

/**
 * An immutable sorted map held as two arrays, keys in their natural order, built in one pass from
 * keys already sorted. A snapshot of 10,000 service ports is rebuilt on every change; inserting each
 * entry into a tree cost a dozen key comparisons apiece and most of the rebuild, where the source
 * already has them in order. Lookups are binary searches; views (head, tail, sub) share the arrays.
 *
 * @param <K> the keys, compared by their natural order
 * @param <V> the values (no nulls)
 */
public final class SortedArrayMap<K extends Comparable<? super K>, V> extends AbstractMap<K, V>
        implements SortedMap<K, V> {
    private final Object[] keys;
    private final Object[] values;
    private final int from;
    private final int to;
    private Set<Entry<K, V>> entries;

    private SortedArrayMap(Object[] keys, Object[] values, int from, int to) {
        this.keys = keys;
        this.values = values;
        this.from = from;
        this.to = to;
    }

    /**
     * The map of {@code keys[i] -> values[i]}; the keys must be strictly ascending (checked: an
     * unsorted or repeated key is an IllegalArgumentException, never a map that answers wrongly).
     */
    public static <K extends Comparable<? super K>, V> SortedArrayMap<K, V> ofSorted(List<K> keys, List<V> values) {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + values.size() + " values");
        }
        Object[] k = keys.toArray();
        Object[] v = values.toArray();
        for (int i = 0; i < k.length; i++) {
            if (k[i] == null || v[i] == null) {
                throw new NullPointerException("null key or value at " + i);
            }
            if (i > 0 && SortedArrayMap.<K>key(k, i - 1).compareTo(SortedArrayMap.<K>key(k, i)) >= 0) {
                throw new IllegalArgumentException("keys not strictly ascending at " + i + ": " + k[i - 1] + ", " + k[i]);
            }
        }
        return new SortedArrayMap<>(k, v, 0, k.length);
    }

    @SuppressWarnings("unchecked")
    private static <K> K key(Object[] keys, int i) {
        return (K) keys[i];
    }

    /** The index of the key in [from, to), or -(insertion point) - 1. */
    @SuppressWarnings("unchecked")
    private int search(Object key) {
        K k = (K) key;
        int lo = from;
        int hi = to - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = SortedArrayMap.<K>key(keys, mid).compareTo(k);
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

    private int insertionPoint(Object key) {
        int i = search(key);
        return i >= 0 ? i : -(i + 1);
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public boolean containsKey(Object key) {
        return key != null && search(key) >= 0;
    }

    @SuppressWarnings("unchecked")
    @Override
    public V get(Object key) {
        if (key == null) {
            return null;
        }
        int i = search(key);
        return i >= 0 ? (V) values[i] : null;
    }

    @Override
    public Comparator<? super K> comparator() {
        return null;
    }

    @Override
    public K firstKey() {
        if (from == to) {
            throw new NoSuchElementException();
        }
        return key(keys, from);
    }

    @Override
    public K lastKey() {
        if (from == to) {
            throw new NoSuchElementException();
        }
        return key(keys, to - 1);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
        return new SortedArrayMap<>(keys, values, from, insertionPoint(toKey));
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
        return new SortedArrayMap<>(keys, values, insertionPoint(fromKey), to);
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
        if (fromKey.compareTo(toKey) > 0) {
            throw new IllegalArgumentException("fromKey > toKey");
        }
        return new SortedArrayMap<>(keys, values, insertionPoint(fromKey), insertionPoint(toKey));
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        if (entries == null) {
            entries = new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    return new Iterator<>() {
                        private int next = from;

                        @Override
                        public boolean hasNext() {
                            return next < to;
                        }

                        @SuppressWarnings("unchecked")
                        @Override
                        public Entry<K, V> next() {
                            if (next >= to) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(key(keys, i), (V) values[i]);
                        }
                    };
                }

                @Override
                public int size() {
                    return to - from;
                }
            };
        }
        return entries;
    }

    /** The values in key order, without an entry per value. */
    @SuppressWarnings("unchecked")
    public List<V> valueList() {
        return (List<V>) java.util.Collections.unmodifiableList(Arrays.asList(values).subList(from, to));
    }

    @Override
    public V put(K key, V value) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public V remove(Object key) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("immutable");
    }
}
