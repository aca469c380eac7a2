package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The services of the mount: reads their live index (cached), and makes every change to a service
 * under that service's lock, so that concurrent requests on one service are serialised (of many
 * racing first publications of an instance, exactly one wins) while different services proceed in
 * parallel. A change's history entries, changed instances and log leaves go to the mount's
 * {@link LogWriter} together (docs/design-log.md §2.2): O(1) storage entries per operation,
 * whatever the size of the service or the mount, and the change is answered only once the
 * checkpoint that holds its leaves is stored.
 *
 * <p>Two states per service: the committed one (what storage holds; readers see only this), and
 * the pending one, a change sequenced into the log and not yet committed, which the next change of
 * the service builds on, so that a busy service is not serialised on the log's round trips.
 *
 * <p>A change builds on the cached state only because nothing stale can be in the cache: reads
 * fill it through {@link CacheTable#offer}, which refuses a state loaded while a change or an
 * invalidation of the service went on, and never load a service while the writer may be applying
 * one of its changes. Services never published are not cached with the others (only remembered as
 * empty, in a small table of their own), so asking for unknown names cannot push real services out.
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
     * among the others. About 1.6 KB each, measured on ones loaded
     * from storage (Ed25519 key, two endpoints, a publisher with alias metadata): about 26 MB at most.
     */
    private static final long PUBLICATION_BUDGET = 16384;
    /**
     * ...and one service larger than that (the last one read or changed), up to twice as many
     * publications (about 52 MB at most): such a service would otherwise be loaded whole for every
     * read and change of it (2.9 s per read at 16,379 instances).
     */
    private static final CacheTable.OversizedSlot LARGE_SERVICE = new CacheTable.OversizedSlot(2 * PUBLICATION_BUDGET);
    /**
     * Services read and found never published, remembered for the change that usually follows
     * such a read: a publish into a new service is an existence check (a read) and then the
     * publish, and without this both would list the service's instances (measured: one of the
     * three storage calls of a first publish, beside two puts). A table of its own, so that
     * unknown names push out only each other, never a published service.
     */
    private static final int EMPTY_LIMIT = 1024;
    private static final int LOCK_STRIPES = 256;
    /**
     * How long a change waits for its batch to be committed before the caller gets 503 (the change
     * stays queued and may still take effect). Well under the servers' request timeouts.
     */
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);

    private final Storage storage;
    private final Laggards laggards;
    private final MountLog log;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private final CacheTable<Snapshot> cache;
    private final CacheTable<Snapshot> empties = new CacheTable<>(EMPTY_LIMIT, EMPTY_LIMIT, snapshot -> 1);
    private final AtomicLong revisions = new AtomicLong();
    /** The services with a change in the log's queue: the last one sequenced. Changed under the service's lock only. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /**
     * A change sequenced into the log and not yet committed: its state (with the indices of its
     * leaves, set when it is sequenced) is what the next change of the service starts from.
     */
    private static final class Pending {
        private ServiceState state;
        private LogWriter.Ticket ticket;
    }

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

    /**
     * The consumers behind an awaited rotation at its max_end, when they are known without I/O (the
     * service's consumer index is in memory): for the {@code rotation_end} of a rotation whose old key
     * another change of the service pruned before the sweep came (docs/design-ack.md §8).
     */
    interface Laggards {
        Laggards UNKNOWN = (service, old) -> Optional.empty();

        Optional<List<ConsumerEntry>> atMaxEnd(String service, Publication old);
    }

    Registry(Storage storage, MountLog log) {
        this(storage, log, Laggards.UNKNOWN);
    }

    Registry(Storage storage, MountLog log, Laggards laggards) {
        this(storage, log, laggards, CACHE_LIMIT, PUBLICATION_BUDGET, LARGE_SERVICE);
    }

    /** With other cache limits: for tests that need evictions. */
    Registry(Storage storage, MountLog log, int cacheLimit, long publicationBudget, CacheTable.OversizedSlot largeService) {
        this(storage, log, Laggards.UNKNOWN, cacheLimit, publicationBudget, largeService);
    }

    private Registry(Storage storage, MountLog log, Laggards laggards, int cacheLimit, long publicationBudget,
                     CacheTable.OversizedSlot largeService) {
        this.laggards = laggards;
        this.storage = storage;
        this.log = log;
        this.cache = new CacheTable<>(cacheLimit, publicationBudget, snapshot -> snapshot.state().publicationCount(),
                largeService);
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
        log.ready();
        // Never loaded while the writer may be applying a change of the service: it writes several
        // entries, and a load between two of them would mix the states before and after it (tidy:
        // one entry stamped with a seq that counts expiries other entries still list: a seq too
        // high, then a lower one). Pending changes are committed in order; once the last is, its
        // state is cached (or, if evicted since, storage holds it whole).
        while (true) {
            LogWriter.Ticket ticket;
            synchronized (lock(service)) {
                Pending last = pending.get(service);
                if (last == null) {
                    return current(service);
                }
                ticket = last.ticket;
            }
            ticket.await(COMMIT_WAIT);
        }
    }

    ServiceState state(String service) {
        return snapshot(service).state();
    }

    private Snapshot snapshotOf(ServiceState state) {
        return new Snapshot(state, revisions.incrementAndGet());
    }

    /**
     * The service's committed state, under its lock and with no change of it pending: the cached
     * one, or, if none is cached, loaded whole.
     */
    private Snapshot current(String service) {
        long stamp = cache.stamp(service);
        Snapshot cached = cache.get(service);
        if (cached != null) {
            return cached;
        }
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
     * Runs {@code change} on the service's latest state (pending or committed) under its lock,
     * sequences what it decides into the mount's log (its events as leaves, its history entries and
     * changed instances as the batch's writes), and answers once that is committed.
     *
     * @throws dev.herald.sdk.VaultException 503 if the log has not committed it in time (it may still take effect)
     */
    <T> T change(String service, Function<ServiceState, Change<T>> change) {
        return changeLogged(service, change).result();
    }

    /** What a change answered, and where its own events are in the log (none if it wrote nothing). */
    record Logged<T>(T result, Optional<LogWriter.Committed> committed) {
    }

    /** As {@link #change}, with the change's place in the log: for answers that name it. */
    <T> Logged<T> changeLogged(String service, Function<ServiceState, Change<T>> change) {
        // Opened first: opening rolls forward what a crash left, which no change may build under.
        LogWriter writer = log.writer();
        LogWriter.Ticket wait;
        boolean own = false;
        T result;
        synchronized (lock(service)) {
            Pending before = pending.get(service);
            // Under the lock no other change of this service runs: what is pending, cached, or read now, is current.
            ServiceState current = before != null ? before.state : current(service).state();
            Change<T> decided = change.apply(current);
            result = decided.result();
            if (decided.next() == null) {
                if (before == null) {
                    return new Logged<>(result, Optional.empty());
                }
                // Decided on a state not yet committed (e.g. "unchanged": the key is already there):
                // answered only once that state is, so that nothing is acknowledged outside the log.
                wait = before.ticket;
            } else {
                List<History.Event> events = withRotationEnds(current, decided.next(), decided.events());
                ServiceState next = decided.next().withHistoryLength(current.historyLength() + events.size());
                Pending sequenced = new Pending();
                sequenced.ticket = writer.submit(events.size(),
                        first -> encode(current, next, events, first, sequenced), outcome(service, sequenced));
                pending.put(service, sequenced);
                wait = sequenced.ticket;
                own = true;
            }
        }
        LogWriter.Committed committed = wait.await(COMMIT_WAIT);
        return new Logged<>(result, own ? Optional.of(committed) : Optional.empty());
    }

    /**
     * The change's events, and a {@code rotation_end} for each rotation awaiting consumers whose old
     * key the change dropped without saying so (a change of the service that pruned it after M before
     * the sweep came): every awaited rotation gets exactly one end in history (docs/design-ack.md §4.3).
     */
    private List<History.Event> withRotationEnds(ServiceState current, ServiceState next, List<History.Event> events) {
        List<History.Event> all = new ArrayList<>(events);
        for (String instance : next.touched()) {
            for (Publication old : current.of(instance)) {
                boolean ended = RotationEnds.awaiting(old) && next.find(instance, old.generation())
                        .filter(RotationEnds::awaiting).isEmpty();
                boolean told = all.stream().anyMatch(e -> e.type().equals(LogLeaf.ROTATION_END)
                        && e.instance().equals(instance) && e.generation() == old.generation());
                if (ended && !told) {
                    all.add(laggards.atMaxEnd(next.service(), old)
                            .map(behind -> RotationEnds.forcedEvent(old, behind, PublisherIdentity.unbound(""), next.seq()))
                            .orElseGet(() -> RotationEnds.endedUnrecorded(old, next.seq())));
                }
            }
        }
        return all;
    }

    /**
     * The change's leaves and entries, its events and publications given the indices of its leaves
     * ({@code first} on); sets the pending state. Runs under the log's sequencer: no I/O.
     */
    private static LogWriter.Encoded encode(ServiceState current, ServiceState next, List<History.Event> events,
                                            long first, Pending sequenced) {
        ServiceState stamped = next;
        List<History.Event> logged = new ArrayList<>();
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            History.Event event = events.get(i).logged(first + i);
            PublisherKey key = null;
            if (LogLeaf.PUBLISHING.contains(event.type())) {
                stamped = stamped.withLogIndex(event.instance(), event.generation(), first + i);
                key = stamped.find(event.instance(), event.generation()).orElseThrow().key();
            }
            logged.add(event);
            leaves.add(LogLeaf.ofServiceEvent(next.service(), current.historyLength() + i, event, key));
        }
        Map<String, byte[]> writes = ServiceStore.writes(current, stamped, logged);
        sequenced.state = stamped.saved();
        return new LogWriter.Encoded(leaves, writes);
    }

    /** What the log's writer does once the change is committed (or abandoned): moves the committed state on. */
    private LogWriter.Outcome outcome(String service, Pending sequenced) {
        return new LogWriter.Outcome() {
            @Override
            public void committed(LogWriter.Committed committed) {
                synchronized (lock(service)) {
                    empties.remove(service);
                    cache.put(service, snapshotOf(sequenced.state));
                    pending.remove(service, sequenced);
                }
            }

            @Override
            public void failed() {
                // The mount is going away with the change written in part, whole, or not at all:
                // nothing of the service is kept (the next start rolls the batch forward).
                synchronized (lock(service)) {
                    empties.remove(service);
                    cache.remove(service);
                    pending.remove(service, sequenced);
                }
            }
        };
    }

    private Object lock(String service) {
        return locks[Math.floorMod(service.hashCode(), LOCK_STRIPES)];
    }

    /** Whether the service's state is in memory: reading it costs no storage call. */
    boolean isCached(String service) {
        return cache.contains(service);
    }

    /** The services with a rotation awaiting consumers, as storage holds them (for the rotation sweep). */
    List<String> servicesAwaiting() {
        return ServiceStore.servicesAwaiting(storage);
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
