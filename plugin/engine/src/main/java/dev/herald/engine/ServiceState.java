package dev.herald.engine;

import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The live index of one service: its publications that have not been removed yet, its sequence,
 * the last generation of each instance and the length of its history. One storage entry per
 * service ({@code services/<name>}), so that every operation on a service reads and writes O(1)
 * entries. Immutable.
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
    static final String PREFIX = "services/";

    ServiceState {
        publications = publications.stream()
                .sorted(Comparator.comparing(Publication::instance).thenComparingLong(Publication::generation))
                .toList();
        generations = Map.copyOf(generations);
    }

    static ServiceState empty(String service) {
        return new ServiceState(service, 0, 0, List.of(), Map.of());
    }

    static String storageKey(String service) {
        return PREFIX + service;
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
        return new ServiceState(service, sequenceAt(now), historyLength, liveAt(now), generations);
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

    long nextGeneration(String instance) {
        return generations.getOrDefault(instance, 0L) + 1;
    }

    byte[] encode() {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("seq", seq);
        stored.put("history_length", historyLength);
        stored.put("publications", publications.stream().map(Publication::toStored).toList());
        stored.put("generations", new TreeMap<>(generations));
        return Json.write(stored).getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static ServiceState decode(String service, byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        List<Publication> publications = new ArrayList<>();
        for (Object entry : (List<Object>) stored.get("publications")) {
            publications.add(Publication.fromStored((Map<String, Object>) entry));
        }
        Map<String, Long> generations = new HashMap<>();
        ((Map<String, Object>) stored.get("generations")).forEach((k, v) -> generations.put(k, ((Number) v).longValue()));
        return new ServiceState(service, ((Number) stored.get("seq")).longValue(),
                ((Number) stored.get("history_length")).longValue(), publications, generations);
    }
}
