package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The consumer sessions of the mount's services (docs/design-ack.md §4.2), on the active node: per
 * service, every session's entry, and for each rotation that awaits consumers (by its sequence S)
 * the sessions still below S ordered by their last acknowledgement, so that "does a counted
 * consumer still lag" is one look at the latest of them. Loaded on first need with one {@code list}
 * and one {@code get} per entry; kept in a table weighted by sessions, which evicts whole services
 * (a reload gives the same index).
 *
 * <p>An entry reaches the index only after it is stored ({@link #store}), under the service's own
 * lock, never the registry's: an acknowledgement does not wait for a service's changes. Every use of
 * an index is under that lock ({@link #with}); the table holds it as a value that changes, so only
 * {@link #store} and {@link #remove}, which re-weigh it, change how many sessions it has.
 */
final class Consumers {
    /** Sessions kept in memory for the whole mount, about 200 B each: about 40 MB at most. */
    private static final long SESSION_BUDGET = 200_000;
    private static final int LOCK_STRIPES = 256;

    private final Storage storage;
    private final CacheTable<ServiceConsumers> cache;
    private final Object[] locks = new Object[LOCK_STRIPES];
    /** Held while one session's entry is written (by {@link #store}), outside the service's lock. */
    private final Object[] sessionLocks = new Object[LOCK_STRIPES];

    Consumers(Storage storage) {
        this(storage, SESSION_BUDGET);
    }

    /** With another budget: for tests that need evictions. */
    Consumers(Storage storage, long sessionBudget) {
        this.storage = storage;
        this.cache = new CacheTable<>(4096, sessionBudget, index -> Math.max(1, index.stored()));
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
            sessionLocks[i] = new Object();
        }
    }

    /**
     * The service's consumers, loaded if not in memory. The index is shared: read it and change it
     * only within {@link #with}.
     */
    private ServiceConsumers index(String service) {
        ServiceConsumers cached = cache.get(service);
        if (cached != null) {
            return cached;
        }
        long stamp = cache.stamp(service);
        ServiceConsumers loaded = new ServiceConsumers();
        String prefix = ConsumerEntry.prefix(service);
        for (String id : storage.list(prefix)) {
            storage.get(prefix + id).ifPresent(bytes -> loaded.record(ConsumerEntry.decode(service, bytes)));
        }
        return cache.offer(service, loaded, stamp);
    }

    /** Runs {@code action} on the service's index under the service's lock (loading it first if needed). */
    <T> T with(String service, java.util.function.Function<ServiceConsumers, T> action) {
        synchronized (lock(service)) {
            return action.apply(index(service));
        }
    }

    /**
     * The sessions behind {@code overlap}'s awaited seq at its max_end (at most {@link
     * RotationSweep#NAMED}), if the service's index is in memory; never loads it (the caller may hold
     * the registry's lock for the service).
     */
    java.util.Optional<List<ConsumerEntry>> laggardsIfLoaded(String service, Overlap overlap, Duration consumerTtl) {
        synchronized (lock(service)) {
            ServiceConsumers cached = cache.get(service);
            return cached == null ? java.util.Optional.empty() : java.util.Optional.of(
                    cached.laggards(overlap.awaitingSequence(), overlap.maxEnd(), consumerTtl, RotationSweep.NAMED));
        }
    }

    /**
     * Stores the entry that {@code decide} makes from the service's index (its checks run under the
     * service's lock), then records it in the index: an entry is in the index only once stored.
     *
     * <p>The storage write is made under the session's own lock, not the service's, so that the
     * acknowledgements of one service's sessions are written in parallel: under the service's lock
     * each waited for the one before's commit (about 270 acknowledgements a second on one raft
     * node, measured by scripts/bench/ack.sh). A new session is reserved while it is written, so
     * that the bounds (max_consumers, max_consumer_sessions) hold against concurrent newcomers.
     */
    ConsumerEntry store(String service, String id, java.util.function.Function<ServiceConsumers, ConsumerEntry> decide) {
        synchronized (sessionLock(service, id)) {
            ServiceConsumers[] decidedOn = new ServiceConsumers[1];
            ConsumerEntry entry = with(service, index -> {
                ConsumerEntry made = decide.apply(index);
                if (index.entry(id).isEmpty()) {
                    index.reserve(id, made.entityId());
                    decidedOn[0] = index;
                }
                return made;
            });
            boolean stored = false;
            try {
                storage.put(entry.storageKey(), entry.encode());
                stored = true;
            } finally {
                synchronized (lock(service)) {
                    if (decidedOn[0] != null) {
                        decidedOn[0].release(id);
                    }
                    if (stored) {
                        ServiceConsumers index = index(service);
                        reweighed(service, index, () -> index.record(entry));
                    }
                }
            }
            return entry;
        }
    }

    private Object sessionLock(String service, String id) {
        return sessionLocks[Math.floorMod(java.util.Objects.hash(service, id), LOCK_STRIPES)];
    }

    /**
     * Changes the number of sessions of a cached index: taken out of the table with the weight it
     * went in with, put back with its new one (the table weighs an entry when it comes and when it
     * goes, and an index is the one value here that changes in between).
     */
    private void reweighed(String service, ServiceConsumers index, Runnable change) {
        cache.remove(service);
        change.run();
        cache.put(service, index);
    }

    /** Deletes the session's entry (a leave); whether there was one. */
    boolean remove(String service, String id) {
        // the session's lock first, as store takes them: a leave never interleaves with the
        // session's own acknowledgement being written (which would record it again after the delete)
        synchronized (sessionLock(service, id)) {
            synchronized (lock(service)) {
                ServiceConsumers index = index(service);
                if (index.entry(id).isEmpty()) {
                    return false;
                }
                storage.delete(ConsumerEntry.prefix(service) + id);
                reweighed(service, index, () -> index.remove(id));
                return true;
            }
        }
    }

    /**
     * The services with a rotation awaiting consumers, for the sweep: read from storage once, at the
     * first tick on the active node, then kept by the rotations that start here ({@link #awaits})
     * and by the sweep, which drops a service once nothing waits in it. Null until read.
     */
    private volatile java.util.Set<String> awaiting;

    /** A rotation of the service started to await consumers. */
    void awaits(String service) {
        java.util.Set<String> known = awaiting;
        if (known != null) {
            known.add(service);
        }
    }

    /** The services the sweep looks at, in name order; {@code load} reads them from storage the first time. */
    List<String> awaitingServices(java.util.function.Supplier<List<String>> load) {
        java.util.Set<String> known = awaiting;
        if (known == null) {
            synchronized (this) {
                if (awaiting == null) {
                    java.util.Set<String> loaded = java.util.concurrent.ConcurrentHashMap.newKeySet();
                    loaded.addAll(load.get());
                    awaiting = loaded;
                }
                known = awaiting;
            }
        }
        return known.stream().sorted().toList();
    }

    /** Nothing waits in the service any more. */
    void awaitsNothing(String service) {
        java.util.Set<String> known = awaiting;
        if (known != null) {
            known.remove(service);
        }
    }

    /** How long after it stopped counting a session is still shown (consumers/), before tidy removes it. */
    static final Duration SHOWN_AFTER_COUNTING = Duration.ofHours(24);

    /** The services with consumer entries. */
    List<String> services() {
        return storage.list(ConsumerEntry.PREFIX).stream().filter(key -> key.endsWith("/"))
                .map(key -> key.substring(0, key.length() - 1)).sorted().toList();
    }

    /**
     * Deletes the service's sessions that stopped counting a day or more before {@code now}
     * (docs/design-ack.md §4.6): a process that went away without leaving. Returns how many.
     */
    int removeStale(String service, Instant now, Duration consumerTtl) {
        Instant before = now.minus(consumerTtl).minus(SHOWN_AFTER_COUNTING);
        List<ConsumerEntry> stale = with(service, index -> index.all().stream()
                .filter(entry -> !entry.ackedAt().isAfter(before)).toList());
        int removed = 0;
        for (ConsumerEntry candidate : stale) {
            // each under its session's lock, checked again: it may have acknowledged meanwhile
            synchronized (sessionLock(service, candidate.id())) {
                synchronized (lock(service)) {
                    ServiceConsumers index = index(service);
                    if (index.entry(candidate.id()).filter(entry -> !entry.ackedAt().isAfter(before)).isEmpty()) {
                        continue;
                    }
                    storage.delete(candidate.storageKey());
                    reweighed(service, index, () -> index.remove(candidate.id()));
                    removed++;
                }
            }
        }
        return removed;
    }

    /** A consumer entry changed elsewhere: its service's index is read again when next needed. */
    boolean invalidate(String key) {
        String service = ConsumerEntry.serviceOf(key);
        if (service == null) {
            return false;
        }
        cache.remove(service);
        return true;
    }

    private Object lock(String service) {
        return locks[Math.floorMod(service.hashCode(), LOCK_STRIPES)];
    }

    /**
     * One service's sessions. Mutable; used only under its service's lock in {@link Consumers}.
     * Each session is in exactly one group, that of the seq it last acknowledged, ordered by when:
     * the laggards of any awaited S are the groups below S, so nothing per rotation is kept (and
     * nothing to drop when a rotation ends), and the memory is that of the sessions. Consumers sit
     * on few seqs (the current one and the one before), so walking the groups below S is short.
     */
    static final class ServiceConsumers {
        /** A session at its last acknowledgement. */
        private record Mark(Instant ackedAt, String id) {
        }

        private static final Comparator<Mark> BY_ACKED_AT = Comparator.comparing(Mark::ackedAt).thenComparing(Mark::id);

        private final Map<String, ConsumerEntry> sessions = new HashMap<>();
        private final Map<String, Integer> sessionsPerEntity = new HashMap<>();
        private final TreeSet<Mark> all = new TreeSet<>(BY_ACKED_AT);
        /** The sessions by the seq they last acknowledged. */
        private final TreeMap<Long, TreeSet<Mark>> bySeq = new TreeMap<>();

        /** New sessions being written (by {@link Consumers#store}): id to entity. They count toward the bounds. */
        private final Map<String, String> reserved = new HashMap<>();

        /** The sessions stored: what the index weighs in its table (reservations come and go unweighed). */
        int stored() {
            return sessions.size();
        }

        /** The sessions, with the new ones being written. */
        int size() {
            return sessions.size() + reserved.size();
        }

        void reserve(String id, String entityId) {
            reserved.put(id, entityId);
        }

        void release(String id) {
            reserved.remove(id);
        }

        /** Every session's entry, in no order. */
        List<ConsumerEntry> all() {
            return List.copyOf(sessions.values());
        }

        Optional<ConsumerEntry> entry(String id) {
            return Optional.ofNullable(sessions.get(id));
        }

        /** The entity's sessions, with its new ones being written. */
        int sessionsOf(String entityId) {
            int writing = (int) reserved.values().stream().filter(entityId::equals).count();
            return sessionsPerEntity.getOrDefault(entityId, 0) + writing;
        }

        /** Whether any session counts at {@code now}. */
        boolean anyCounted(Instant now, Duration consumerTtl) {
            return !all.isEmpty() && all.last().ackedAt().plus(consumerTtl).isAfter(now);
        }

        List<ConsumerEntry> counted(Instant now, Duration consumerTtl) {
            return all.tailSet(new Mark(now.minus(consumerTtl), "\uffff"), false).stream()
                    .map(mark -> sessions.get(mark.id())).toList();
        }

        /** Whether a counted session's seq is still below {@code s} at {@code now}. */
        boolean lagging(long s, Instant now, Duration consumerTtl) {
            for (TreeSet<Mark> group : bySeq.headMap(s, false).values()) {
                if (group.last().ackedAt().plus(consumerTtl).isAfter(now)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * When the last session below {@code s} stopped counting (its last acknowledgement plus
         * consumer_ttl), if any is below it: the completion time of a rotation nobody acknowledged.
         */
        Optional<Instant> lastLaggardStopped(long s, Duration consumerTtl) {
            Instant latest = null;
            for (TreeSet<Mark> group : bySeq.headMap(s, false).values()) {
                Instant last = group.last().ackedAt();
                latest = latest == null || last.isAfter(latest) ? last : latest;
            }
            return Optional.ofNullable(latest).map(at -> at.plus(consumerTtl));
        }

        /** The counted sessions below {@code s}, oldest acknowledgement first, at most {@code limit}. */
        List<ConsumerEntry> laggards(long s, Instant now, Duration consumerTtl, int limit) {
            TreeSet<Mark> below = new TreeSet<>(BY_ACKED_AT);
            Mark from = new Mark(now.minus(consumerTtl), "\uffff");
            for (TreeSet<Mark> group : bySeq.headMap(s, false).values()) {
                for (Mark mark : group.tailSet(from, false)) {
                    below.add(mark);
                    if (below.size() > limit) {
                        below.pollLast();
                    }
                }
            }
            return below.stream().map(mark -> sessions.get(mark.id())).toList();
        }

        void record(ConsumerEntry entry) {
            remove(entry.id());
            sessions.put(entry.id(), entry);
            sessionsPerEntity.merge(entry.entityId(), 1, Integer::sum);
            Mark mark = mark(entry);
            all.add(mark);
            bySeq.computeIfAbsent(entry.seq(), seq -> new TreeSet<>(BY_ACKED_AT)).add(mark);
        }

        void remove(String id) {
            ConsumerEntry gone = sessions.remove(id);
            if (gone == null) {
                return;
            }
            sessionsPerEntity.computeIfPresent(gone.entityId(), (entity, n) -> n == 1 ? null : n - 1);
            Mark mark = mark(gone);
            all.remove(mark);
            TreeSet<Mark> group = bySeq.get(gone.seq());
            group.remove(mark);
            if (group.isEmpty()) {
                bySeq.remove(gone.seq());
            }
        }

        private static Mark mark(ConsumerEntry entry) {
            return new Mark(entry.ackedAt(), entry.id());
        }
    }
}
