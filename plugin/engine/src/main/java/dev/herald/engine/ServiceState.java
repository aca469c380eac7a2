package dev.herald.engine;


import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The live index of one service: its publications that have not been removed yet, its sequence,
 * the last generation of each instance and the length of its history. Immutable. How it is
 * stored (one stamped entry per instance, each an {@link Instance}): {@link ServiceStore}.
 *
 * <p>A change of one instance costs the same in a service of 10 and of 10,000 instances: the
 * instances are kept in a {@link PersistentSortedMap} by name and the listed publications in a
 * second one by {@code not_after}, both shared with the state changed from (O(log n) new nodes per
 * change, nothing copied or scanned). The state also says which instances changed since it was
 * loaded or written ({@link #touched}): what {@link ServiceStore#writes} writes. Listing every live
 * publication ({@link #liveAt}, for a record) is O(n), and only done for records.
 *
 * <p>The sequence must rise with every change of the live set, including a publication simply
 * reaching its {@code not_after}, which happens without any write. So the stored {@code seq}
 * counts the changes written so far, and the sequence a reader sees adds the listed publications
 * that have expired since: {@link #sequenceAt}. {@link #pruned} moves those into {@code seq} when
 * the entry is next written, which leaves the sequence unchanged.
 *
 * <p>An instance never forgets its key (DESIGN §5.3): when the publication of its latest generation
 * leaves the list (expiry, lease end, revocation), it stays as the instance's tombstone, and a
 * different key or other claims then need a continuity signature by it. Only an operator's reset
 * clears a tombstone.
 */
final class ServiceState {
    /**
     * One instance, as its entry {@code instances/<service>/<instance>} stores it.
     *
     * @param generation the instance's latest generation
     * @param listed     its publications still listed, by generation (current, a superseded
     *                   predecessor, expired ones not yet pruned)
     * @param tombstone  the ended publication of its latest generation, when that is not listed; or null
     */
    record Instance(long generation, List<Publication> listed, Publication tombstone) {
        Instance {
            listed = List.copyOf(listed);
            for (int i = 1; i < listed.size(); i++) {
                if (listed.get(i - 1).generation() >= listed.get(i).generation()) {
                    listed = listed.stream().sorted(Comparator.comparingLong(Publication::generation)).toList();
                    break;
                }
            }
            for (int i = 1; i < listed.size(); i++) {
                if (listed.get(i - 1).generation() == listed.get(i).generation()) {
                    throw new IllegalArgumentException("generation " + listed.get(i).generation() + " of "
                            + listed.get(i).instance() + " is listed twice");
                }
            }
        }
    }

    /** Where a listed publication sits in the index by end: unique, since (instance, generation) is. */
    private record Expiry(Instant notAfter, String instance, long generation) {
        static final Comparator<Expiry> ORDER = (a, b) -> {
            int c = a.notAfter.compareTo(b.notAfter);
            if (c == 0) {
                c = a.instance.compareTo(b.instance);
            }
            return c != 0 ? c : Long.compare(a.generation, b.generation);
        };

        static Expiry of(Publication publication) {
            return new Expiry(publication.notAfter(), publication.instance(), publication.generation());
        }
    }

    private static final PersistentSortedMap<String, Instance> NO_INSTANCES = PersistentSortedMap.empty(Comparator.naturalOrder());
    private static final PersistentSortedMap<Expiry, Publication> NOTHING_LISTED = PersistentSortedMap.empty(Expiry.ORDER);
    private static final PersistentSortedMap<String, Boolean> NOTHING_TOUCHED = PersistentSortedMap.empty(Comparator.naturalOrder());

    private final String service;
    private final long seq;
    private final long historyLength;
    /** Every instance that ever published (entries are never deleted), by name. */
    private final PersistentSortedMap<String, Instance> instances;
    /** Every listed publication, by not_after: expiries are a prefix. */
    private final PersistentSortedMap<Expiry, Publication> byEnd;
    /** The instances changed since this state was loaded or written: what the next save writes. */
    private final PersistentSortedMap<String, Boolean> touched;
    /** How many instances have at least one listed publication. */
    private final int listedInstances;
    /**
     * How many listed publications carry a rotation that awaits consumers (as stored; docs/design-ack.md):
     * so that a record's answer can say whether an acknowledgement is requested without a scan.
     */
    private final int awaitingRotations;

    private ServiceState(String service, long seq, long historyLength, PersistentSortedMap<String, Instance> instances,
                         PersistentSortedMap<Expiry, Publication> byEnd, PersistentSortedMap<String, Boolean> touched,
                         int listedInstances, int awaitingRotations) {
        this.service = service;
        this.seq = seq;
        this.historyLength = historyLength;
        this.instances = instances;
        this.byEnd = byEnd;
        this.touched = touched;
        this.listedInstances = listedInstances;
        this.awaitingRotations = awaitingRotations;
    }

    static ServiceState empty(String service) {
        return new ServiceState(service, 0, 0, NO_INSTANCES, NOTHING_LISTED, NOTHING_TOUCHED, 0, 0);
    }

    /** A state as stored: nothing touched. O(n log n). */
    static ServiceState loaded(String service, long seq, long historyLength, Map<String, Instance> instances) {
        List<Map.Entry<Expiry, Publication>> listed = new ArrayList<>();
        int listedInstances = 0;
        int awaiting = 0;
        for (Map.Entry<String, Instance> entry : instances.entrySet()) {
            for (Publication publication : entry.getValue().listed()) {
                requireOf(entry.getKey(), publication);
                listed.add(Map.entry(Expiry.of(publication), publication));
            }
            awaiting += awaitingIn(entry.getValue().listed());
            listedInstances += entry.getValue().listed().isEmpty() ? 0 : 1;
        }
        return new ServiceState(service, seq, historyLength,
                PersistentSortedMap.copyOf(Comparator.naturalOrder(), instances.entrySet()),
                PersistentSortedMap.copyOf(Expiry.ORDER, listed), NOTHING_TOUCHED, listedInstances, awaiting);
    }

    private static int awaitingIn(List<Publication> listed) {
        int n = 0;
        for (Publication publication : listed) {
            n += RotationEnds.awaiting(publication) ? 1 : 0;
        }
        return n;
    }

    /** Whether any listed publication's rotation awaits consumers (as stored: its M may have passed). O(1). */
    boolean awaitsConsumers() {
        return awaitingRotations > 0;
    }

    /** How many listed publications' rotations await consumers (as stored). O(1). */
    int awaitingRotations() {
        return awaitingRotations;
    }

    String service() {
        return service;
    }

    /** The changes written so far; see {@link #sequenceAt}. */
    long seq() {
        return seq;
    }

    /** How many history entries the service has ({@code history/<name>/<index>}). */
    long historyLength() {
        return historyLength;
    }

    /** Never published: nothing stored. */
    boolean isEmpty() {
        return seq == 0 && historyLength == 0 && instances.isEmpty();
    }

    /** No instance entry at all, listed or not: nothing in storage to find the service by. */
    boolean hasNoInstances() {
        return instances.isEmpty();
    }

    /** The sequence at {@code now}: the changes written plus the expiries since. O(log n). */
    long sequenceAt(Instant now) {
        return seq + expiredAt(now);
    }

    private int expiredAt(Instant now) {
        return byEnd.countWhile(end -> !end.notAfter().isAfter(now));
    }

    /** The live publications, by instance and generation: O(n), for records. */
    List<Publication> liveAt(Instant now) {
        List<Publication> live = new ArrayList<>(byEnd.size());
        for (Instance instance : instances.values()) {
            for (Publication publication : instance.listed()) {
                if (publication.liveAt(now)) {
                    live.add(publication);
                }
            }
        }
        return live;
    }

    /**
     * Up to {@code limit} instances with a live publication, the first after {@code after} by name
     * ("" for the first of all), with their live publications; {@code next} names the last of them
     * when another live instance follows (the {@code after} of the next page), else it is empty.
     */
    record Page(List<Publication> listed, String next) {
        Page {
            listed = List.copyOf(listed);
        }
    }

    /**
     * One page of {@link #liveAt}: O(log n + k) for the k instances it passes, which are those it lists
     * unless ended instances (their tombstones) lie between them.
     */
    Page liveAfter(String after, int limit, Instant now) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page lists at least one instance");
        }
        List<Publication> listed = new ArrayList<>();
        int taken = 0;
        String last = "";
        Iterator<Map.Entry<String, Instance>> entries = instances.entriesAfter(after.isEmpty() ? null : after);
        while (entries.hasNext()) {
            Map.Entry<String, Instance> entry = entries.next();
            List<Publication> live = entry.getValue().listed().stream().filter(p -> p.liveAt(now)).toList();
            if (live.isEmpty()) {
                continue;
            }
            if (taken == limit) {
                return new Page(listed, last); // another live instance follows
            }
            listed.addAll(live);
            taken++;
            last = entry.getKey();
        }
        return new Page(listed, "");
    }

    /** Every listed publication (live or not yet pruned), by instance and generation: O(n). */
    List<Publication> publications() {
        List<Publication> listed = new ArrayList<>(byEnd.size());
        for (Instance instance : instances.values()) {
            listed.addAll(instance.listed());
        }
        return listed;
    }

    /** How many publications are listed (live or not yet pruned). */
    int publicationCount() {
        return byEnd.size();
    }

    /** The instance's current (not superseded) live publication. */
    Optional<Publication> current(String instance, Instant now) {
        return of(instance).stream()
                .filter(p -> !p.superseded() && p.liveAt(now))
                .reduce((first, second) -> second);
    }

    /** The publication of this generation of the instance, if still listed (live or not yet pruned). */
    Optional<Publication> find(String instance, long generation) {
        return of(instance).stream().filter(p -> p.generation() == generation).findFirst();
    }

    /** The listed publications of one instance, by generation. */
    List<Publication> of(String instance) {
        Instance entry = instances.get(instance);
        return entry == null ? List.of() : entry.listed();
    }

    /** The names of the instances that ever published, in name order. */
    List<String> instanceNames() {
        return instances.keys();
    }

    /** The instance as its entry stores it; null if it never published. */
    Instance instance(String instance) {
        return instances.get(instance);
    }

    /** The instance's latest generation; 0 if it never published. */
    long generation(String instance) {
        Instance entry = instances.get(instance);
        return entry == null ? 0 : entry.generation();
    }

    long nextGeneration(String instance) {
        return generation(instance) + 1;
    }

    /** The ended publication of the instance's latest generation, while it is not listed. */
    Optional<Publication> tombstone(String instance) {
        Instance entry = instances.get(instance);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.tombstone());
    }

    /**
     * The instance's last key: the publication of its latest generation, listed or ended (its
     * tombstone); empty if it never published or an operator reset it.
     */
    Optional<Publication> last(String instance) {
        Instance entry = instances.get(instance);
        if (entry == null) {
            return Optional.empty();
        }
        return entry.tombstone() != null ? Optional.of(entry.tombstone()) : find(instance, entry.generation());
    }

    /** How many instances have a live publication: O(log n) unless some listed publication has expired. */
    long instanceCountAt(Instant now) {
        if (expiredAt(now) == 0) {
            return listedInstances;
        }
        return instances.values().stream().filter(i -> i.listed().stream().anyMatch(p -> p.liveAt(now))).count();
    }

    /** This state without its expired publications; {@link #sequenceAt} is unchanged by it. O(k log n) for k expired. */
    ServiceState pruned(Instant now) {
        int expired = expiredAt(now);
        if (expired == 0) {
            return this;
        }
        // The expired publications by instance: each instance keeps those that did not.
        Map<String, List<Publication>> kept = new TreeMap<>();
        Iterator<Map.Entry<Expiry, Publication>> ends = byEnd.iterator();
        for (int i = 0; i < expired; i++) {
            Map.Entry<Expiry, Publication> end = ends.next();
            kept.computeIfAbsent(end.getKey().instance(), name -> new ArrayList<>(of(name))).remove(end.getValue());
        }
        ServiceState next = this;
        for (Map.Entry<String, List<Publication>> instance : kept.entrySet()) {
            next = next.withListed(instance.getKey(), instance.getValue());
        }
        return next.withSeq(seq + expired);
    }

    /**
     * One change of the live set: the instance's listed publications become {@code listed}, and the
     * sequence rises by one. The instance's latest generation becomes the highest it ever had;
     * if that generation leaves the list, its publication becomes the instance's tombstone, and
     * if it is listed, the instance has none.
     */
    ServiceState changed(String instance, List<Publication> listed) {
        return withListed(instance, listed).withSeq(seq + 1);
    }

    /**
     * This state with the listed publication of {@code instance} at {@code generation} marked with
     * the index of the log leaf that published it; the sequence is unchanged.
     */
    ServiceState withLogIndex(String instance, long generation, long logIndex) {
        Instance entry = instances.get(instance);
        if (entry == null || generationIn(entry.listed(), generation) == null) {
            throw new IllegalArgumentException("generation " + generation + " of " + instance + " is not listed");
        }
        return withListed(instance, entry.listed().stream()
                .map(p -> p.generation() == generation ? p.toBuilder().logIndex(logIndex).build() : p).toList());
    }

    /** This state with the instance's tombstone cleared (an operator's reset); the sequence is unchanged. */
    ServiceState withoutTombstone(String instance) {
        Instance entry = instances.get(instance);
        if (entry == null || entry.tombstone() == null) {
            return this;
        }
        return new ServiceState(service, seq, historyLength,
                instances.put(instance, new Instance(entry.generation(), entry.listed(), null)), byEnd,
                touched.put(instance, Boolean.TRUE), listedInstances, awaitingRotations);
    }

    ServiceState withHistoryLength(long length) {
        return new ServiceState(service, seq, length, instances, byEnd, touched, listedInstances, awaitingRotations);
    }

    /** The instances changed since this state was loaded or written, by name: those a save must write. */
    List<String> touched() {
        return touched.keys();
    }

    /** Nothing touched since this state was loaded or written. */
    boolean isStored() {
        return touched.isEmpty();
    }

    /** This state once written: nothing touched. */
    ServiceState saved() {
        return touched.isEmpty() ? this
                : new ServiceState(service, seq, historyLength, instances, byEnd, NOTHING_TOUCHED, listedInstances,
                        awaitingRotations);
    }

    private ServiceState withSeq(long next) {
        return new ServiceState(service, next, historyLength, instances, byEnd, touched, listedInstances, awaitingRotations);
    }

    /** The instance's list replaced, its generation and tombstone following (see {@link #changed}); seq unchanged. */
    private ServiceState withListed(String instance, List<Publication> listed) {
        Instance before = instances.get(instance);
        List<Publication> was = before == null ? List.of() : before.listed();
        long latest = before == null ? 0 : before.generation();
        for (Publication publication : listed) {
            requireOf(instance, publication);
            latest = Math.max(latest, publication.generation());
        }
        Publication tombstone = before == null ? null : before.tombstone();
        if (generationIn(listed, latest) != null) {
            tombstone = null;
        } else if (generationIn(was, latest) != null) {
            tombstone = generationIn(was, latest); // the latest generation leaves the list
        }
        Instance after = new Instance(latest, listed, tombstone);

        PersistentSortedMap<Expiry, Publication> ends = byEnd;
        for (Publication publication : was) {
            ends = ends.remove(Expiry.of(publication));
        }
        for (Publication publication : after.listed()) {
            ends = ends.put(Expiry.of(publication), publication);
        }
        int counted = listedInstances - (was.isEmpty() ? 0 : 1) + (listed.isEmpty() ? 0 : 1);
        return new ServiceState(service, seq, historyLength, instances.put(instance, after), ends,
                touched.put(instance, Boolean.TRUE), counted, awaitingRotations - awaitingIn(was) + awaitingIn(after.listed()));
    }

    private static Publication generationIn(List<Publication> publications, long generation) {
        for (Publication publication : publications) {
            if (publication.generation() == generation) {
                return publication;
            }
        }
        return null;
    }

    private static void requireOf(String instance, Publication publication) {
        if (!publication.instance().equals(instance)) {
            throw new IllegalArgumentException("a publication of " + publication.instance() + " listed under " + instance);
        }
    }

    /** Equal when stored alike: the same service, sequence, history length and instances ({@link #touched} aside). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceState other && service.equals(other.service) && seq == other.seq
                && historyLength == other.historyLength && instances.equals(other.instances);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, seq, historyLength, instances);
    }

    @Override
    public String toString() {
        return "ServiceState[" + service + ", seq " + seq + ", history " + historyLength + ", " + instances + "]";
    }
}
