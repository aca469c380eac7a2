package dev.herald.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CachedValueTest {

    @Test
    void aSlowFirstReadNeverPutsAnOldValueBackOverANewerOne() {
        CachedValue<String> value = new CachedValue<>();
        long stamp = value.stamp();     // a reader starts reading storage...
        value.put("rotated");           // ...a writer stores and caches a newer value...
        value.clear();                  // ...which is then invalidated...
        assertEquals("old", value.offer("old", stamp), "the reader uses what it read");
        assertNull(value.get(), "but it is not kept");

        long fresh = value.stamp();
        assertEquals("current", value.offer("current", fresh));
        assertEquals("current", value.get());
        assertEquals("current", value.offer("other", fresh), "a kept value wins over an offer");
    }
}
