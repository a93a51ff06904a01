package io.svcproxy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * {@link PatchedMap} against a plain map over random sequences of puts and removes, across folds:
 * same contents and weight; every version is unchanged by later ones; and the keys it reports as
 * changed between consecutive versions include every key that did change.
 */
class PatchedMapProperties {

    @Property(tries = 50)
    void behavesLikeACopiedMapAndReportsEveryChangedKey(@ForAll long seed) {
        Random random = new Random(seed);
        Map<String, String> model = new LinkedHashMap<>();
        for (int i = 0, n = random.nextInt(300); i < n; i++) {
            model.put("k" + i, "v" + random.nextInt(5));
        }
        PatchedMap<String, String> map = PatchedMap.copyOf(model, String::length);
        List<PatchedMap<String, String>> versions = new ArrayList<>();
        List<Map<String, String>> expected = new ArrayList<>();
        for (int step = 0; step < 120; step++) {
            Map<String, String> put = new LinkedHashMap<>();
            List<String> removed = new ArrayList<>();
            for (int c = 0, n = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 4); c < n; c++) {
                String key = "k" + random.nextInt(400);
                if (random.nextBoolean()) {
                    removed.add(key);
                } else {
                    put.put(key, random.nextInt(8) == 0 && map.get(key) != null ? map.get(key) : "v" + random.nextInt(5));
                }
            }
            PatchedMap<String, String> next = map.with(put, removed);
            Map<String, String> nextModel = new LinkedHashMap<>(model);
            removed.forEach(nextModel::remove);
            nextModel.putAll(put);

            assertEquals(nextModel, next);
            assertEquals(new HashMap<>(nextModel), new HashMap<>(next), "entry iteration gives every entry once");
            assertEquals(nextModel.size(), next.size());
            assertEquals(nextModel.values().stream().mapToLong(String::length).sum(), next.weight());
            for (int k = 0; k < 400; k++) {
                assertEquals(nextModel.get("k" + k), next.get("k" + k));
                assertEquals(nextModel.containsKey("k" + k), next.containsKey("k" + k));
            }
            Set<String> changed = next.keysChangedSince(map);
            assertNotNull(changed, "consecutive versions always know what changed");
            Map<String, String> before = model;
            Set<String> really = new HashSet<>(before.keySet());
            really.addAll(nextModel.keySet());
            really.removeIf(k -> Objects.equals(before.get(k), nextModel.get(k)));
            assertTrue(changed.containsAll(really), () -> "missing " + really + " in " + changed);
            assertSame(Set.of(), next.keysChangedSince(next));

            versions.add(next);
            expected.add(nextModel);
            map = next;
            model = nextModel;
        }
        for (int i = 0; i < versions.size(); i++) {
            assertEquals(expected.get(i), versions.get(i), "an older version is never changed by a newer one");
        }
    }
}
