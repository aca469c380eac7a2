package dev.herald.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The persistent map against a plain TreeMap, and every old version left as it was. */
class PersistentSortedMapTest {
    private static final Comparator<Integer> ORDER = Comparator.naturalOrder();

    private static void assertMatches(TreeMap<Integer, String> model, PersistentSortedMap<Integer, String> map) {
        map.checkInvariants();
        assertEquals(model.size(), map.size());
        assertEquals(model.isEmpty(), map.isEmpty());
        assertEquals(new ArrayList<>(model.keySet()), map.keys());
        assertEquals(new ArrayList<>(model.values()), map.values());
        assertEquals(new ArrayList<>(model.entrySet()), toList(map));
    }

    private static <K, V> List<Map.Entry<K, V>> toList(PersistentSortedMap<K, V> map) {
        List<Map.Entry<K, V>> entries = new ArrayList<>();
        map.forEach(entries::add);
        return entries;
    }

    @Test
    void randomPutsAndRemovesMatchATreeMapAndLeaveOldVersionsUnchanged() {
        Random random = new Random(11);
        for (int run = 0; run < 20; run++) {
            int range = 1 + random.nextInt(run < 10 ? 40 : 2000);
            TreeMap<Integer, String> model = new TreeMap<>();
            PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty(ORDER);
            List<TreeMap<Integer, String>> oldModels = new ArrayList<>();
            List<PersistentSortedMap<Integer, String>> oldMaps = new ArrayList<>();
            for (int step = 0; step < 3000; step++) {
                int key = random.nextInt(range);
                if (random.nextInt(3) == 0) {
                    model.remove(key);
                    map = map.remove(key);
                } else {
                    String value = "v" + random.nextInt(5);
                    model.put(key, value);
                    map = map.put(key, value);
                }
                int probe = random.nextInt(range + 2) - 1;
                assertEquals(model.get(probe), map.get(probe));
                assertEquals(model.containsKey(probe), map.containsKey(probe));
                assertEquals(model.headMap(probe, true).size(), map.countWhile(k -> k <= probe));
                assertEquals(model.headMap(probe, false).size(), map.countWhile(k -> k < probe));
                if (step % 13 == 0) {
                    List<Map.Entry<Integer, String>> after = new ArrayList<>();
                    map.entriesAfter(probe).forEachRemaining(after::add);
                    assertEquals(new ArrayList<>(model.tailMap(probe, false).entrySet()), after, "the entries after " + probe);
                }
                if (step % 97 == 0) {
                    assertMatches(model, map);
                    oldModels.add(new TreeMap<>(model));
                    oldMaps.add(map);
                }
            }
            assertMatches(model, map);
            for (int i = 0; i < oldMaps.size(); i++) {
                assertMatches(oldModels.get(i), oldMaps.get(i));
            }
            assertEquals(map, PersistentSortedMap.copyOf(ORDER, model.entrySet()), "built from the model: equal");
            assertEquals(map.hashCode(), PersistentSortedMap.copyOf(ORDER, model.entrySet()).hashCode());
        }
    }

    @Test
    void keysInOrderOrReverseOrderStayBalanced() {
        PersistentSortedMap<Integer, String> ascending = PersistentSortedMap.empty(ORDER);
        PersistentSortedMap<Integer, String> descending = PersistentSortedMap.empty(ORDER);
        for (int i = 0; i < 5000; i++) {
            ascending = ascending.put(i, "a");
            descending = descending.put(-i, "d");
        }
        ascending.checkInvariants(); // balanced: depth O(log n) whatever the order of the keys
        descending.checkInvariants();
        for (int i = 0; i < 5000; i += 2) {
            ascending = ascending.remove(i);
        }
        ascending.checkInvariants();
        assertEquals(2500, ascending.size());
        assertEquals(1, ascending.keys().getFirst());
    }

    @Test
    void copyOfAndEdgeCases() {
        PersistentSortedMap<Integer, String> empty = PersistentSortedMap.empty(ORDER);
        assertEquals(List.of(), toList(empty));
        assertNull(empty.get(1));
        assertEquals(0, empty.countWhile(k -> true));
        assertSame(empty, empty.remove(1), "removing what is not there: the same map");
        for (int n = 0; n < 70; n++) {
            TreeMap<Integer, String> model = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                model.put(i * 3, "x" + i);
            }
            PersistentSortedMap<Integer, String> built = PersistentSortedMap.copyOf(ORDER, model.entrySet());
            assertMatches(model, built);
            assertEquals(n, built.countWhile(k -> true));
        }
        PersistentSortedMap<Integer, String> one = empty.put(1, "a");
        assertEquals("b", one.put(1, "b").get(1), "a put replaces the value");
        assertEquals("a", one.get(1), "and leaves the old map as it was");
        assertNotEquals(one, one.put(1, "b"));
        assertEquals("{1=a}", one.toString());
        assertThrows(IllegalArgumentException.class, () -> PersistentSortedMap.copyOf(
                Comparator.comparingInt((Integer i) -> i / 10), Map.of(1, "a", 2, "b").entrySet()), "keys equal in the order");
    }
}
