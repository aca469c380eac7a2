package dev.herald.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CacheTableTest {

    @Test
    void anOfferIsRefusedAfterAPutOrRemoveSinceItsStamp() {
        CacheTable<String> table = new CacheTable<>(10, 100, v -> 1);
        long stamp = table.stamp("a");
        table.put("a", "new");
        table.remove("a"); // e.g. evicted or invalidated: the stale value must still not come back
        assertEquals("stale", table.offer("a", "stale", stamp), "the reader uses what it read");
        assertNull(table.get("a"), "but it is not cached");

        long fresh = table.stamp("a");
        assertEquals("current", table.offer("a", "current", fresh));
        assertEquals("current", table.get("a"));
        assertEquals("current", table.offer("a", "other", fresh), "a present value wins over an offer");
    }

    @Test
    void evictsTheLeastRecentlyUsedByCountAndByWeight() {
        CacheTable<String> table = new CacheTable<>(3, 10, String::length);
        table.put("a", "1");
        table.put("b", "1");
        table.put("c", "1");
        table.get("a"); // a is now the most recently used
        table.put("d", "1");
        assertNull(table.get("b"), "b was the least recently used");
        assertEquals("1", table.get("a"));

        table.put("e", "12345678"); // weight 8: room is made from the least recently used
        assertEquals(10, weightOf(table));
        table.put("huge", "x".repeat(11));
        assertNull(table.get("huge"), "too heavy to keep at all");
        assertEquals("12345678", table.get("e"), "and its coming evicted nothing");
    }

    @Test
    void anEntryHeavierThanTheTableTakesTheOversizedSlotAloneAndBoundedByItsOwnWeight() {
        CacheTable<String> table = new CacheTable<>(3, 10, String::length, new CacheTable.OversizedSlot(20));
        table.put("a", "1");
        table.put("b", "123456789");
        table.put("big", "x".repeat(15));
        assertEquals("x".repeat(15), table.get("big"), "kept in the slot");
        assertEquals("1", table.get("a"), "taking no room from the others");
        assertEquals("123456789", table.get("b"));
        assertEquals(3, table.size());

        long stamp = table.stamp("bigger");
        assertEquals("y".repeat(12), table.offer("bigger", "y".repeat(12), stamp));
        assertNull(table.get("big"), "one entry in the slot: the last one offered or put");
        assertEquals("y".repeat(12), table.get("bigger"));
        table.put("huge", "z".repeat(21));
        assertNull(table.get("huge"), "heavier than the slot's own bound");
        assertEquals("y".repeat(12), table.get("bigger"), "and its coming evicted nothing");

        table.put("bigger", "2");
        assertEquals("2", table.get("bigger"), "lighter again: back among the others");
        assertNull(table.get("a"), "where it took the place of the least recently used");
        table.put("big", "x".repeat(15));
        table.remove("big");
        assertNull(table.get("big"), "removed from the slot");
        table.put("big", "x".repeat(15));
        long before = table.stamp("big");
        table.clear();
        assertNull(table.get("big"), "cleared with the rest");
        table.replace("big", "x".repeat(15), before);
        assertNull(table.get("big"), "and a replace stamped before the clear is refused there too");
    }

    @Test
    void aReplaceTakesThePlaceOfAValueUnlessAClearCameSinceItsStamp() {
        CacheTable<String> table = new CacheTable<>(10, 100, String::length);
        table.put("a", "old");
        table.replace("a", "newer", table.stamp("a"));
        assertEquals("newer", table.get("a"), "unlike an offer, a replace does not yield to a present value");

        long stamp = table.stamp("b");
        table.clear();
        assertNull(table.get("a"));
        assertEquals(0, weightOf(table));
        table.replace("b", "stale", stamp);
        assertNull(table.get("b"), "made before the clear: not kept");
        assertEquals("stale", table.offer("b", "stale", stamp), "nor is an offer of it");
        assertNull(table.get("b"));
    }

    private static long weightOf(CacheTable<String> table) {
        long[] weight = {0};
        table.forEach(v -> weight[0] += v.length());
        return weight[0];
    }
}
