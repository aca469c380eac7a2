package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The services of the mount: reads their live index (cached), and makes every change to a service
 * under that service's lock, so that concurrent requests on one service are serialised (of many
 * racing first publications of an instance, exactly one wins) while different services proceed in
 * parallel. Each change writes the service's new history entries and the instances it touched,
 * together: O(1) storage entries per operation, whatever the size of the service or the mount.
 *
 * <p>A change builds on the cached state only because nothing stale can be in the cache: reads
 * fill it through {@link CacheTable#offer}, which refuses a state loaded while a change or an
 * invalidation of the service went on. Services never published are not cached with the others
 * (only remembered as empty, in a small table of their own), so asking for unknown names cannot
 * push real services out.
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
    /**
     * Services read and found never published, remembered for the change that usually follows
     * such a read: a publish into a new service is an existence check (a read) and then the
     * publish, and without this both would list the service's instances (measured: one of the
     * three storage calls of a first publish, beside two puts). A table of its own, so that
     * unknown names push out only each other, never a published service.
     */
    private static final int EMPTY_LIMIT = 1024;
    private static final int LOCK_STRIPES = 256;

    private final Storage storage;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private final CacheTable<Snapshot> cache;
    private final CacheTable<Snapshot> empties = new CacheTable<>(EMPTY_LIMIT, EMPTY_LIMIT, snapshot -> 1);
    private final AtomicLong revisions = new AtomicLong();
    /**
     * Services whose cached state may differ from storage in the named instances: a change failed
     * after its first write may have reached storage. Changed under the service's lock only.
     */
    private final Map<String, Set<String>> unsure = new ConcurrentHashMap<>();

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
        if (cached != null && !unsure.containsKey(service)) {
            return cached;
        }
        // Loaded under the service's lock: a change writes several entries one after the other, and
        // a load between two of them would mix the states before and after it (tidy: one entry
        // stamped with a seq that counts expiries other entries still list: a seq too high, then a
        // lower one).
        synchronized (lock(service)) {
            return current(service);
        }
    }

    ServiceState state(String service) {
        return snapshot(service).state();
    }

    private Snapshot snapshotOf(ServiceState state) {
        return new Snapshot(state, revisions.incrementAndGet());
    }

    /**
     * The service's state as stored, under its lock: the cached one; or the cached one with the
     * entries a failed change may have written read again; or, if none is cached, loaded whole.
     */
    private Snapshot current(String service) {
        long stamp = cache.stamp(service);
        Snapshot cached = cache.get(service);
        Set<String> doubtful = unsure.get(service);
        if (cached != null && doubtful == null) {
            return cached;
        }
        if (cached != null) {
            Snapshot reread = snapshotOf(ServiceStore.reread(storage, cached.state(), doubtful));
            cache.replace(service, reread, stamp);
            unsure.remove(service, doubtful);
            return reread;
        }
        unsure.remove(service);
        Snapshot empty = empties.get(service);
        if (empty != null) {
            return empty;
        }
        long emptyStamp = empties.stamp(service);
        ServiceState state = ServiceStore.load(storage, service);
        if (state.isEmpty()) {
            // Refused if an invalidation of the service came during the load (another node wrote it).
            return empties.offer(service, snapshotOf(state), emptyStamp);
        }
        return cache.offer(service, snapshotOf(state), stamp);
    }

    /**
     * Runs {@code change} on the service's current state under its lock and writes what it decides:
     * its history entries and the changed instances, together ({@link ServiceStore#save}).
     */
    <T> T change(String service, Function<ServiceState, Change<T>> change) {
        synchronized (lock(service)) {
            // Under the lock no other change of this service runs: what is cached, or read now, is current.
            ServiceState current = current(service).state();
            Change<T> decided = change.apply(current);
            if (decided.next() != null) {
                ServiceState next = decided.next().withHistoryLength(current.historyLength() + decided.events().size());
                try {
                    ServiceStore.save(storage, current, next, decided.events());
                } catch (RuntimeException | Error e) {
                    empties.remove(service); // a first change may have written some of its entries
                    // Some entries may be written, some not. Only the instances the change touched can
                    // differ from what is cached: the next reader or change reads those again (for a
                    // caller that went away, this request's storage calls fail too). A 10,000-instance
                    // service is not loaded again because one publish was cancelled.
                    if (cache.contains(service)) {
                        unsure.merge(service, Set.copyOf(next.touched()), Registry::union);
                    } else {
                        cache.remove(service);
                    }
                    throw e;
                }
                empties.remove(service);
                cache.put(service, snapshotOf(next.saved()));
            }
            return decided.result();
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> both = new HashSet<>(a);
        both.addAll(b);
        return Set.copyOf(both);
    }

    private Object lock(String service) {
        return locks[Math.floorMod(service.hashCode(), LOCK_STRIPES)];
    }

    /** Whether the service's state is in memory: reading it costs no storage call. */
    boolean isCached(String service) {
        return cache.contains(service);
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
        empties.remove(service);
        return true;
    }
}
