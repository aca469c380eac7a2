package dev.herald.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A bounded cache of values read from storage, safe against the race that poisons caches filled
 * outside a lock: a reader loads a value (several storage reads, no lock), a writer meanwhile
 * changes it and caches the new value, the new value is evicted, and the reader's now stale value
 * lands in the cache, for the next change to build on.
 *
 * <p>So a reader takes a {@link #stamp} before it loads and {@link #offer}s the loaded value with
 * that stamp; the offer is refused if any {@link #put} or {@link #remove} of a key of the same
 * stripe, or a {@link #clear}, happened since. Writers {@code put} what they wrote. Entries are evicted least recently
 * used first, by count and by a weight (e.g. the publications a service holds), so no caller can
 * choose which entries others lose by picking names.
 *
 * <p>An entry heavier than the table's whole weight can have an {@link OversizedSlot} instead: one
 * entry (the last one offered or put), bounded by a weight of its own. Without it such an entry is
 * never kept, and each use of it reads storage again: for a service, every read and change loads
 * all its instances (measured on a service of 16,379 instances: 2.9 s per read). With it, the
 * oversized entry last used stays, and takes no room from the others. Either way an entry too heavy
 * to keep evicts nothing on its way out.
 *
 * <p>All methods are short and take this table's monitor; the values themselves are immutable.
 */
final class CacheTable<V> {
    private static final int STRIPES = 256;

    private final int maxEntries;
    private final long maxWeight;
    private final ToLongFunction<V> weigher;
    private final long oversizedWeight;
    private final LinkedHashMap<String, V> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** The entry in the oversized slot (both null if none): heavier than maxWeight, at most oversizedWeight. */
    private String oversizedKey;
    private V oversized;
    /** Bumped by every put or remove of a key in the stripe: what a stamp is compared with. */
    private final long[] versions = new long[STRIPES];
    private long weight;

    /** Room for one entry heavier than the table's weight, up to {@code maxWeight}. */
    record OversizedSlot(long maxWeight) {
        static final OversizedSlot NONE = new OversizedSlot(0);
    }

    CacheTable(int maxEntries, long maxWeight, ToLongFunction<V> weigher) {
        this(maxEntries, maxWeight, weigher, OversizedSlot.NONE);
    }

    CacheTable(int maxEntries, long maxWeight, ToLongFunction<V> weigher, OversizedSlot slot) {
        this.maxEntries = maxEntries;
        this.maxWeight = maxWeight;
        this.weigher = weigher;
        this.oversizedWeight = slot.maxWeight();
    }

    synchronized V get(String key) {
        V value = entries.get(key);
        return value != null || !key.equals(oversizedKey) ? value : oversized;
    }

    /** Whether {@code key} is cached, without counting as a use of it. */
    synchronized boolean contains(String key) {
        return entries.containsKey(key) || key.equals(oversizedKey);
    }

    /** Taken before loading {@code key} from storage, for {@link #offer}. */
    synchronized long stamp(String key) {
        return versions[stripe(key)];
    }

    /**
     * Caches {@code loaded} unless the key was put or removed since {@code stamp} was taken. Returns
     * what a reader should use: the cached value if there is one, else {@code loaded} (also when it
     * was refused: it was current when the read began).
     */
    synchronized V offer(String key, V loaded, long stamp) {
        V present = entries.get(key);
        if (present != null) {
            return present;
        }
        if (versions[stripe(key)] == stamp) {
            insert(key, loaded);
        }
        return loaded;
    }

    /**
     * Caches {@code made} in place of what is cached under the key, unless the key was put or
     * removed since {@code stamp} was taken: for values made from others (a record signed from a
     * service's state), which replace one that no longer serves. Concurrent makers of one key each
     * replace the other's value; what they made from decides whether it is used.
     */
    synchronized void replace(String key, V made, long stamp) {
        if (versions[stripe(key)] == stamp) {
            removeEntry(key);
            insert(key, made);
        }
    }

    /** A writer's new value, written to storage under the writer's lock. */
    synchronized void put(String key, V value) {
        versions[stripe(key)]++;
        removeEntry(key);
        insert(key, value);
    }

    /** The key changed elsewhere, or is gone. */
    synchronized void remove(String key) {
        versions[stripe(key)]++;
        removeEntry(key);
    }

    /** Everything changed: forgets every entry, and refuses every offer and replace stamped before. */
    synchronized void clear() {
        for (int i = 0; i < STRIPES; i++) {
            versions[i]++;
        }
        entries.clear();
        weight = 0;
        oversizedKey = null;
        oversized = null;
    }

    synchronized void forEach(java.util.function.Consumer<V> action) {
        entries.values().forEach(action);
        if (oversized != null) {
            action.accept(oversized);
        }
    }

    synchronized int size() {
        return entries.size() + (oversized != null ? 1 : 0);
    }

    private void insert(String key, V value) {
        long coming = weigher.applyAsLong(value);
        if (coming > maxWeight) {
            if (coming <= oversizedWeight) {
                oversizedKey = key;
                oversized = value;
            }
            return;
        }
        Iterator<Map.Entry<String, V>> eldest = entries.entrySet().iterator();
        while ((entries.size() >= maxEntries || weight + coming > maxWeight) && eldest.hasNext()) {
            weight -= weigher.applyAsLong(eldest.next().getValue());
            eldest.remove();
        }
        if (entries.size() < maxEntries && weight + coming <= maxWeight) {
            entries.put(key, value);
            weight += coming;
        }
    }

    private void removeEntry(String key) {
        V removed = entries.remove(key);
        if (removed != null) {
            weight -= weigher.applyAsLong(removed);
        }
        if (key.equals(oversizedKey)) {
            oversizedKey = null;
            oversized = null;
        }
    }

    private static int stripe(String key) {
        return Math.floorMod(key.hashCode(), STRIPES);
    }
}
