package dev.herald.engine;


import java.time.Instant;
import java.util.Comparator;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The live index of one service: its publications that have not been removed yet, its sequence,
 * the last generation of each instance and the length of its history. Immutable. How it is
 * stored (a head and one entry per instance): {@link ServiceStore}.
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
 *
 * @param historyLength how many history entries the service has ({@code history/<name>/<index>})
 * @param tombstones    the ended publication of each instance whose latest generation is no longer listed
 */
record ServiceState(String service, long seq, long historyLength, List<Publication> publications,
                    Map<String, Long> generations, Map<String, Publication> tombstones) {
    ServiceState {
        publications = sorted(publications) ? List.copyOf(publications) : publications.stream().sorted(ORDER).toList();
        generations = Map.copyOf(generations);
        tombstones = Map.copyOf(tombstones);
    }

    private static final Comparator<Publication> ORDER =
            Comparator.comparing(Publication::instance).thenComparingLong(Publication::generation);

    /** Most changes keep the order (only an addition moves things): checking is cheaper than sorting. */
    private static boolean sorted(List<Publication> publications) {
        for (int i = 1; i < publications.size(); i++) {
            if (ORDER.compare(publications.get(i - 1), publications.get(i)) > 0) {
                return false;
            }
        }
        return true;
    }

    static ServiceState empty(String service) {
        return new ServiceState(service, 0, 0, List.of(), Map.of(), Map.of());
    }

    /** Never published: nothing stored. */
    boolean isEmpty() {
        return seq == 0 && historyLength == 0 && generations.isEmpty();
    }

    /** The sequence at {@code now}: the changes written plus the expiries since. */
    long sequenceAt(Instant now) {
        return seq + publications.stream().filter(p -> !p.liveAt(now)).count();
    }

    List<Publication> liveAt(Instant now) {
        return publications.stream().filter(p -> p.liveAt(now)).toList();
    }

    /** The instance's current (not superseded) live publication. */
    Optional<Publication> current(String instance, Instant now) {
        return publications.stream()
                .filter(p -> p.instance().equals(instance) && !p.superseded() && p.liveAt(now))
                .reduce((first, second) -> second);
    }

    /** The publication of this generation of the instance, if still listed (live or not yet pruned). */
    Optional<Publication> find(String instance, long generation) {
        return publications.stream()
                .filter(p -> p.instance().equals(instance) && p.generation() == generation).findFirst();
    }

    long instanceCountAt(Instant now) {
        return liveAt(now).stream().map(Publication::instance).distinct().count();
    }

    /** This state without its expired publications; {@link #sequenceAt} is unchanged by it. */
    ServiceState pruned(Instant now) {
        long expired = publications.stream().filter(p -> !p.liveAt(now)).count();
        if (expired == 0) {
            return this; // the common case: no copy of a large service's index
        }
        List<Publication> live = liveAt(now);
        return new ServiceState(service, seq + expired, historyLength, live, generations,
                tombstonesAfter(live, generations));
    }

    /** One change of the live set: the publications become {@code next}, and the sequence rises by one. */
    ServiceState changed(List<Publication> next) {
        Map<String, Long> latest = new HashMap<>(generations);
        for (Publication publication : next) {
            latest.merge(publication.instance(), publication.generation(), Math::max);
        }
        return new ServiceState(service, seq + 1, historyLength, next, latest, tombstonesAfter(next, latest));
    }

    /** This state with the instance's tombstone cleared (an operator's reset); the sequence is unchanged. */
    ServiceState withoutTombstone(String instance) {
        Map<String, Publication> kept = new HashMap<>(tombstones);
        kept.remove(instance);
        return new ServiceState(service, seq, historyLength, publications, generations, kept);
    }

    ServiceState withHistoryLength(long length) {
        return new ServiceState(service, seq, length, publications, generations, tombstones);
    }

    /**
     * The instance's last key: the publication of its latest generation, listed or ended (its
     * tombstone); empty if it never published or an operator reset it.
     */
    Optional<Publication> last(String instance) {
        Long generation = generations.get(instance);
        if (generation == null) {
            return Optional.empty();
        }
        Publication tombstone = tombstones.get(instance);
        return tombstone != null ? Optional.of(tombstone) : find(instance, generation);
    }

    /**
     * The tombstones once the list becomes {@code listed}: every publication that leaves the list
     * while its generation is its instance's latest becomes the instance's tombstone; an instance
     * that publishes again (its latest generation listed) has none.
     */
    private Map<String, Publication> tombstonesAfter(List<Publication> listed, Map<String, Long> latest) {
        Map<String, Publication> next = new HashMap<>(tombstones);
        Set<Publication> remaining = Collections.newSetFromMap(new IdentityHashMap<>());
        remaining.addAll(listed);
        for (Publication publication : listed) {
            if (publication.generation() == latest.get(publication.instance())) {
                next.remove(publication.instance());
            }
        }
        for (Publication publication : publications) {
            if (!remaining.contains(publication) && publication.generation() == latest.get(publication.instance())) {
                next.put(publication.instance(), publication);
            }
        }
        return next;
    }

    /** The listed publications of one instance. */
    List<Publication> of(String instance) {
        return publications.stream().filter(p -> p.instance().equals(instance)).toList();
    }

    long nextGeneration(String instance) {
        return generations.getOrDefault(instance, 0L) + 1;
    }
}
