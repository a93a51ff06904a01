package io.svcproxy.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * An immutable map held as a shared base plus a small patch, so that a version with a few entries
 * changed costs the size of the change, not the size of the map. A ruleset of 10,000 services has
 * over 100,000 chains; a partial sync changes a handful, and each sync's plan and remembered state
 * must not copy all of them.
 *
 * <p>The base is never modified; versions derived from one another share it. Each new version copies
 * its patch, so once the patch outgrows a few times the square root of the base it is folded into a
 * fresh base: for a map of n entries changed a few keys at a time, that balances the patch copies
 * (~sqrt(n) per version) against the folds (n every ~sqrt(n) versions). A folded version remembers
 * the base before and the keys it folded, so it can still tell its keys changed since a version of
 * the old base ({@link #keysChangedSince}). Iteration follows the base's order, a replaced value in
 * its key's place, then the keys added since, in the order they were added. Null keys and values are
 * not allowed.
 *
 * <p>An optional weigher keeps a running total of its values' weights (a table's rule count), so
 * asking for it does not walk the map either.
 */
public final class PatchedMap<K, V> extends AbstractMap<K, V> {
    private static final int COMPACT_MIN = 64;

    private final Map<K, V> base;
    private final Map<K, V> puts;
    private final Set<K> removes;
    private final int size;
    private final ToLongFunction<? super V> weigher;
    private final long weight;
    /** The base before the last fold (null if none) and the keys that differ between it and {@link #base}. */
    private final Map<K, V> previousBase;
    private final Set<K> folded;
    private Set<Entry<K, V>> entrySet;

    private PatchedMap(Map<K, V> base, Map<K, V> puts, Set<K> removes, int size,
                       ToLongFunction<? super V> weigher, long weight, Map<K, V> previousBase, Set<K> folded) {
        this.base = base;
        this.puts = puts;
        this.removes = removes;
        this.size = size;
        this.weigher = weigher;
        this.weight = weight;
        this.previousBase = previousBase;
        this.folded = folded;
    }

    /** A copy of {@code map}, in its iteration order. */
    public static <K, V> PatchedMap<K, V> copyOf(Map<? extends K, ? extends V> map) {
        return copyOf(map, null);
    }

    /** A copy of {@code map} keeping the total of {@code weigher} over its values. */
    public static <K, V> PatchedMap<K, V> copyOf(Map<? extends K, ? extends V> map, ToLongFunction<? super V> weigher) {
        Map<K, V> copy = new LinkedHashMap<>(map);
        long w = 0;
        for (Map.Entry<K, V> e : copy.entrySet()) {
            Objects.requireNonNull(e.getKey(), "key");
            Objects.requireNonNull(e.getValue(), "value");
            if (weigher != null) {
                w += weigher.applyAsLong(e.getValue());
            }
        }
        return new PatchedMap<>(Collections.unmodifiableMap(copy), Map.of(), Set.of(), copy.size(), weigher, w,
                null, Set.of());
    }

    /** Whether {@link #weight()} is kept by {@code weigher} (the same function object). */
    public boolean weighedBy(ToLongFunction<?> weigher) {
        return this.weigher == weigher;
    }

    /** The total weight of the values (0 without a weigher). */
    public long weight() {
        return weight;
    }

    /**
     * This map with {@code removed} keys taken out, then {@code put} entries set (a key in both ends
     * up with its new value). Costs the size of the patch, not of the map.
     */
    public PatchedMap<K, V> with(Map<? extends K, ? extends V> put, Collection<? extends K> removed) {
        if (put.isEmpty() && removed.isEmpty()) {
            return this;
        }
        Map<K, V> newPuts = new LinkedHashMap<>(puts);
        Set<K> newRemoves = new HashSet<>(removes);
        int newSize = size;
        long w = weight;
        for (K key : removed) {
            V current = get(newPuts, newRemoves, key);
            if (current == null) {
                continue;
            }
            newSize--;
            w -= weigh(current);
            newPuts.remove(key);
            if (base.containsKey(key)) {
                newRemoves.add(key);
            }
        }
        for (Map.Entry<? extends K, ? extends V> e : put.entrySet()) {
            K key = Objects.requireNonNull(e.getKey(), "key");
            V value = Objects.requireNonNull(e.getValue(), "value");
            V current = get(newPuts, newRemoves, key);
            if (current == null) {
                newSize++;
            } else {
                w -= weigh(current);
            }
            w += weigh(value);
            newRemoves.remove(key);
            if (base.get(key) == value) {
                newPuts.remove(key);   // back to the base's own value: nothing to patch
            } else {
                newPuts.put(key, value);
            }
        }
        if (newPuts.size() + newRemoves.size() > COMPACT_MIN + 4 * Math.sqrt(base.size())) {
            PatchedMap<K, V> patched = new PatchedMap<>(base, newPuts, newRemoves, newSize, weigher, w, null, Set.of());
            Set<K> foldedKeys = new HashSet<>(newPuts.keySet());
            foldedKeys.addAll(newRemoves);
            return new PatchedMap<>(Collections.unmodifiableMap(new LinkedHashMap<>(patched)), Map.of(), Set.of(),
                    newSize, weigher, w, base, Collections.unmodifiableSet(foldedKeys));
        }
        return new PatchedMap<>(base, Collections.unmodifiableMap(newPuts), Collections.unmodifiableSet(newRemoves),
                newSize, weigher, w, previousBase, folded);
    }

    /**
     * The keys whose values may differ between {@code older} and this map (a superset: a key put back
     * to an equal value is listed too), or null when neither shares the other's base (nor the base
     * this map was folded from) and only a full comparison can tell. Costs the size of the patches.
     */
    public Set<K> keysChangedSince(PatchedMap<K, V> older) {
        if (older == this) {
            return Set.of();
        }
        Set<K> keys = new LinkedHashSet<>();
        if (older.base == base) {
            keys.addAll(puts.keySet());
            keys.addAll(removes);
        } else if (older.base == previousBase) {
            keys.addAll(folded);
            keys.addAll(puts.keySet());
            keys.addAll(removes);
        } else {
            return null;
        }
        keys.addAll(older.puts.keySet());
        keys.addAll(older.removes);
        return keys;
    }

    private long weigh(V value) {
        return weigher == null ? 0 : weigher.applyAsLong(value);
    }

    private V get(Map<K, V> patch, Set<K> gone, Object key) {
        V v = patch.get(key);
        if (v != null) {
            return v;
        }
        return gone.contains(key) ? null : base.get(key);
    }

    @Override
    public V get(Object key) {
        return get(puts, removes, key);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        if (puts.isEmpty() && removes.isEmpty()) {
            return base.entrySet();
        }
        if (entrySet == null) {
            entrySet = new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    return new PatchedIterator();
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
        return entrySet;
    }

    /** The base's entries (patched), then the added ones. */
    private final class PatchedIterator implements Iterator<Entry<K, V>> {
        private final Iterator<Entry<K, V>> inBase = base.entrySet().iterator();
        private final Iterator<Entry<K, V>> added = puts.entrySet().iterator();
        private Entry<K, V> next;

        PatchedIterator() {
            advance();
        }

        private void advance() {
            next = null;
            while (inBase.hasNext()) {
                Entry<K, V> e = inBase.next();
                if (removes.contains(e.getKey())) {
                    continue;
                }
                V replaced = puts.get(e.getKey());
                next = replaced == null ? e : new SimpleImmutableEntry<>(e.getKey(), replaced);
                return;
            }
            while (added.hasNext()) {
                Entry<K, V> e = added.next();
                if (!base.containsKey(e.getKey())) {
                    next = e;
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry<K, V> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Entry<K, V> out = next;
            advance();
            return out;
        }
    }
}
