package dev.herald.engine;


import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * @param historyLength how many history entries the service has ({@code history/<name>/<index>})
 */
record ServiceState(String service, long seq, long historyLength, List<Publication> publications,
                    Map<String, Long> generations) {
    ServiceState {
        publications = sorted(publications) ? List.copyOf(publications) : publications.stream().sorted(ORDER).toList();
        generations = Map.copyOf(generations);
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
        return new ServiceState(service, 0, 0, List.of(), Map.of());
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
        return new ServiceState(service, seq + expired, historyLength, liveAt(now), generations);
    }

    /** One change of the live set: the publications become {@code next}, and the sequence rises by one. */
    ServiceState changed(List<Publication> next) {
        Map<String, Long> latest = new HashMap<>(generations);
        for (Publication publication : next) {
            latest.merge(publication.instance(), publication.generation(), Math::max);
        }
        return new ServiceState(service, seq + 1, historyLength, next, latest);
    }

    ServiceState withHistoryLength(long length) {
        return new ServiceState(service, seq, length, publications, generations);
    }

    /** The listed publications of one instance. */
    List<Publication> of(String instance) {
        return publications.stream().filter(p -> p.instance().equals(instance)).toList();
    }

    long nextGeneration(String instance) {
        return generations.getOrDefault(instance, 0L) + 1;
    }
}
