package io.svcproxy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

class SortedArrayMapTest {
    @Test
    void answersAsATreeMapOfTheSameEntries() {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            TreeMap<Integer, String> tree = new TreeMap<>();
            for (int i = 0, n = random.nextInt(40); i < n; i++) {
                int k = random.nextInt(100);
                tree.put(k, "v" + k);
            }
            SortedArrayMap<Integer, String> map = SortedArrayMap.ofSorted(List.copyOf(tree.keySet()), List.copyOf(tree.values()));
            assertEquals(tree, map);
            assertEquals(tree.hashCode(), map.hashCode());
            assertEquals(List.copyOf(tree.entrySet()), List.copyOf(map.entrySet()));
            assertEquals(List.copyOf(tree.values()), map.valueList());
            for (int k = -1; k <= 101; k++) {
                assertEquals(tree.get(k), map.get(k));
                assertEquals(tree.containsKey(k), map.containsKey(k));
                assertEquals(tree.headMap(k), map.headMap(k));
                assertEquals(tree.tailMap(k), map.tailMap(k));
                assertEquals(tree.subMap(k, k + 10), map.subMap(k, k + 10));
            }
            if (!tree.isEmpty()) {
                assertEquals(tree.firstKey(), map.firstKey());
                assertEquals(tree.lastKey(), map.lastKey());
                SortedMap<Integer, String> tail = map.tailMap(tree.firstKey() + 1);
                assertEquals(tree.tailMap(tree.firstKey() + 1), tail);
            }
        }
    }

    @Test
    void keysOutOfOrderOrRepeatedAreRefusedAndTheMapIsImmutable() {
        assertThrows(IllegalArgumentException.class, () -> SortedArrayMap.ofSorted(List.of(2, 1), List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> SortedArrayMap.ofSorted(List.of(1, 1), List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> SortedArrayMap.ofSorted(List.of(1), List.of("a", "b")));
        SortedArrayMap<Integer, String> map = SortedArrayMap.ofSorted(List.of(1, 3), List.of("a", "c"));
        assertThrows(UnsupportedOperationException.class, () -> map.put(2, "b"));
        assertThrows(UnsupportedOperationException.class, () -> map.remove(1));
        assertThrows(UnsupportedOperationException.class, () -> map.valueList().set(0, "x"));
        assertThrows(UnsupportedOperationException.class, () -> map.entrySet().iterator().next().setValue("x"));
        assertNull(map.get(null));
        assertFalse(map.containsKey(2));
        assertTrue(map.containsKey(3));
        assertEquals(Map.of(1, "a", 3, "c"), map);
    }
}
