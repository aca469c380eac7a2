package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The services of the mount: reads their live index (cached), and makes every change to a service
 * under that service's lock, so that concurrent requests on one service are serialised (of many
 * racing first publications of an instance, exactly one wins) while different services proceed in
 * parallel. Each change writes the service's new history entries, its head and the instances it
 * touched: O(1) storage entries per operation, whatever the size of the service or the mount.
 *
 * <p>The cache also keeps each service's last signed records, which are dropped with the entry
 * whenever the service changes, so a record is never older than the state it was signed from.
 */
final class Registry {
    /** Services kept in memory: bounded, for mounts with 100,000s of services... */
    private static final int CACHE_LIMIT = 4096;
    /** ...and publications kept in memory (about 2 KB each), for services with 10,000s of instances. */
    private static final long PUBLICATION_BUDGET = 8192;
    private static final int LOCK_STRIPES = 256;

    private final Storage storage;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong cachedPublications = new java.util.concurrent.atomic.AtomicLong();

    /** A service's state as last read or written, and the records signed from it (by instance, "" for all). */
    record Cached(ServiceState state, Map<String, SignedRecord> records) {
    }

    /** What a change does: the service's next state (null: nothing to write), its new history, and the answer. */
    record Change<T>(ServiceState next, List<History.Event> events, T result) {
        static <T> Change<T> none(T result) {
            return new Change<>(null, List.of(), result);
        }
    }

    Registry(Storage storage) {
        this.storage = storage;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** The service's state and records; an empty state if it was never published. */
    Cached cached(String service) {
        Cached cached = cache.get(service);
        if (cached != null) {
            return cached;
        }
        ServiceState state = ServiceStore.load(storage, service);
        // Only if absent: a change may have cached a newer state while this read was under way, and
        // putting this one over it would make the next change start from a stale state.
        makeRoom(state);
        Cached loaded = new Cached(state, new ConcurrentHashMap<>());
        Cached raced = cache.putIfAbsent(service, loaded);
        if (raced == null) {
            cachedPublications.addAndGet(state.publications().size());
        }
        return raced == null ? loaded : raced;
    }

    ServiceState state(String service) {
        return cached(service).state();
    }

    /**
     * Runs {@code change} on the service's current state under its lock and writes what it decides:
     * first the history entries, then the service's head and changed instances ({@link ServiceStore#save}).
     */
    <T> T change(String service, Function<ServiceState, Change<T>> change) {
        synchronized (locks[Math.floorMod(service.hashCode(), LOCK_STRIPES)]) {
            ServiceState current = state(service);
            Change<T> decided = change.apply(current);
            if (decided.next() != null) {
                History.append(storage, service, current.historyLength(), decided.events());
                ServiceState next = decided.next().withHistoryLength(current.historyLength() + decided.events().size());
                ServiceStore.save(storage, current, next);
                makeRoom(next);
                Cached replaced = cache.put(service, new Cached(next, new ConcurrentHashMap<>()));
                cachedPublications.addAndGet(next.publications().size()
                        - (replaced == null ? 0 : replaced.state().publications().size()));
            }
            return decided.result();
        }
    }

    /** Evicts entries until {@code coming} fits: any will do, a miss costs a reload from storage. */
    private void makeRoom(ServiceState coming) {
        var entries = cache.keySet().iterator();
        while ((cache.size() >= CACHE_LIMIT
                || cachedPublications.get() + coming.publications().size() > PUBLICATION_BUDGET) && entries.hasNext()) {
            forget(entries.next());
        }
    }

    private void forget(String service) {
        Cached removed = cache.remove(service);
        if (removed != null) {
            cachedPublications.addAndGet(-removed.state().publications().size());
        }
    }

    /** Every service ever published on the mount. */
    List<String> names() {
        return ServiceStore.names(storage);
    }

    /** A storage key changed elsewhere (another node): forget what was cached of it. */
    void invalidate(String key) {
        String service = ServiceStore.serviceOf(key);
        if (service != null) {
            forget(service);
        }
    }

    /** Signed records must be made again (the signing key or the issuer changed). */
    void dropRecords() {
        cache.values().forEach(cached -> cached.records().clear());
    }
}
