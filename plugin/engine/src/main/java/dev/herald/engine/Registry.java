package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The services of the mount: reads their live index (cached), and makes every change to a service
 * under that service's lock, so that concurrent requests on one service are serialised (of many
 * racing first publications of an instance, exactly one wins) while different services proceed in
 * parallel. Each change writes the service's new history entries and the instances it
 * touched: O(1) storage entries per operation, whatever the size of the service or the mount.
 *
 * <p>A change builds on the cached state only because nothing stale can be in the cache: reads
 * fill it through {@link CacheTable#offer}, which refuses a state loaded while a change or an
 * invalidation of the service went on. Services never published are not cached at all, so asking
 * for unknown names cannot push real services out.
 *
 * <p>Each state read or written gets a new revision number ({@link Snapshot}): a signed record
 * made from one is reused only while the registry still holds that same revision
 * ({@link SignedRecords}), so a record is never older than the state it was signed from.
 */
final class Registry {
    /** Services kept in memory: bounded, for mounts with 100,000s of services... */
    private static final int CACHE_LIMIT = 4096;
    /**
     * ...and publications kept in memory, so that a service of 10,000 live instances stays cached
     * (a larger one is loaded for every read and change). About 1.6 KB each, measured on ones loaded
     * from storage (Ed25519 key, two endpoints, a publisher with alias metadata): about 26 MB at most.
     */
    private static final long PUBLICATION_BUDGET = 16384;
    private static final int LOCK_STRIPES = 256;

    private final Storage storage;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private final CacheTable<Snapshot> cache;
    private final AtomicLong revisions = new AtomicLong();

    /**
     * A service's state as one read or change made it, with that read's or change's revision: a new
     * number for every state loaded or written (also for one loaded and not kept), never reused.
     */
    record Snapshot(ServiceState state, long revision) {
    }

    /** What a change does: the service's next state (null: nothing to write), its new history, and the answer. */
    record Change<T>(ServiceState next, List<History.Event> events, T result) {
        static <T> Change<T> none(T result) {
            return new Change<>(null, List.of(), result);
        }
    }

    Registry(Storage storage) {
        this(storage, CACHE_LIMIT, PUBLICATION_BUDGET);
    }

    /** With other cache limits: for tests that need evictions. */
    Registry(Storage storage, int cacheLimit, long publicationBudget) {
        this.storage = storage;
        this.cache = new CacheTable<>(cacheLimit, publicationBudget, snapshot -> snapshot.state().publicationCount());
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** The service's state and its revision; an empty state if it was never published. */
    Snapshot snapshot(String service) {
        Snapshot cached = cache.get(service);
        if (cached != null) {
            return cached;
        }
        // Loaded under the service's lock: a change writes several entries one after the other, and
        // a load between two of them would mix the states before and after it (tidy: one entry
        // stamped with a seq that counts expiries other entries still list: a seq too high, then a
        // lower one).
        synchronized (lock(service)) {
            long stamp = cache.stamp(service);
            ServiceState state = ServiceStore.load(storage, service);
            if (state.isEmpty()) {
                return snapshotOf(state);
            }
            return cache.offer(service, snapshotOf(state), stamp);
        }
    }

    ServiceState state(String service) {
        return snapshot(service).state();
    }

    private Snapshot snapshotOf(ServiceState state) {
        return new Snapshot(state, revisions.incrementAndGet());
    }

    /**
     * Runs {@code change} on the service's current state under its lock and writes what it decides:
     * first the history entries, then the changed instances ({@link ServiceStore#save}).
     */
    <T> T change(String service, Function<ServiceState, Change<T>> change) {
        synchronized (lock(service)) {
            Snapshot cached = cache.get(service);
            // Under the lock no other change of this service runs: what is cached, or loaded now, is current.
            ServiceState current = cached != null ? cached.state() : ServiceStore.load(storage, service);
            Change<T> decided = change.apply(current);
            if (decided.next() != null) {
                ServiceState next = decided.next().withHistoryLength(current.historyLength() + decided.events().size());
                try {
                    History.append(storage, service, current.historyLength(), decided.events());
                    ServiceStore.save(storage, current, next);
                } catch (RuntimeException e) {
                    // Some entries may be written, some not: what is cached is no longer what is
                    // stored, and the next change must load what is.
                    cache.remove(service);
                    throw e;
                }
                cache.put(service, snapshotOf(next.saved()));
            }
            return decided.result();
        }
    }

    private Object lock(String service) {
        return locks[Math.floorMod(service.hashCode(), LOCK_STRIPES)];
    }

    /** Every service ever published on the mount. */
    List<String> names() {
        return ServiceStore.names(storage);
    }

    /** A storage key changed elsewhere (another node): forget what was cached of it. */
    boolean invalidate(String key) {
        String service = ServiceStore.serviceOf(key);
        if (service == null) {
            return false;
        }
        cache.remove(service);
        return true;
    }
}
