package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a {@link ServiceState} lies in storage: one entry per instance ({@code instances/<name>/<instance>}:
 * its last generation and its listed publications), each stamped with the sequence and history
 * length of the change that wrote it. A change writes only the instances it touched, so a
 * publication costs the same in a service of 10,000 instances as in one of 1, and no entry grows
 * with the service. The service's sequence and history length are those of its newest stamp: a
 * change writes every instance it touches with the same stamp, and every change that moves either
 * touches an instance (else {@link #save} writes a head, {@code services/<name>}, as mounts written
 * before issue 11's second layout have; {@link #load} reads it as a lower bound).
 */
final class ServiceStore {
    static final String HEAD_PREFIX = "services/";
    static final String INSTANCE_PREFIX = "instances/";
    /**
     * {@code rotations/<service>/<instance>}: the instance's rotations that await consumers
     * (docs/design-ack.md §4.1), written in the same batch as the instance entry whenever that set
     * changes ({@code []} once none waits), so that the periodic sweep finds them without reading
     * every service. One entry per instance that ever awaited consumers, never deleted.
     */
    static final String ROTATIONS_PREFIX = "rotations/";

    private ServiceStore() {
    }

    static String headKey(String service) {
        return HEAD_PREFIX + service;
    }

    static String instanceKey(String service, String instance) {
        return INSTANCE_PREFIX + service + "/" + instance;
    }

    static String rotationsKey(String service, String instance) {
        return ROTATIONS_PREFIX + service + "/" + instance;
    }

    /** The instance's listed publications whose rotation awaits consumers, as its rotations entry lists them. */
    static List<Map<String, Object>> awaiting(ServiceState.Instance instance) {
        if (instance == null) {
            return List.of();
        }
        List<Map<String, Object>> awaiting = new java.util.ArrayList<>();
        for (Publication publication : instance.listed()) {
            publication.overlap().filter(o -> o.outcome() == Overlap.Outcome.PENDING).ifPresent(o -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("generation", publication.generation());
                one.put("awaiting_sequence", o.awaitingSequence());
                one.put("max_end", o.maxEnd().toString());
                awaiting.add(one);
            });
        }
        return awaiting;
    }

    /**
     * The service's state; an empty one if it was never published. One {@code list} when it was
     * not, else a {@code get} of the head (absent since the head went out of the change path) and
     * of each instance entry.
     */
    static ServiceState load(Storage storage, String service) {
        List<String> names = storage.list(INSTANCE_PREFIX + service + "/");
        if (names.isEmpty()) {
            // No instance entry: never published (a head alone is a first change cut off before its
            // instance entry was written, in the layout that wrote the head first).
            return ServiceState.empty(service);
        }
        // The head, if there is one, is a lower bound of the stamps.
        Stamped head = storage.get(headKey(service)).map(bytes -> {
            Map<String, Object> stored = decode(bytes);
            return new Stamped(((Number) stored.get("seq")).longValue(),
                    ((Number) stored.get("history_length")).longValue(), Map.of());
        }).orElse(new Stamped(0, 0, Map.of()));
        Stamped read = readStamped(storage, service, names, head); // in the listing's order, usually sorted already
        return ServiceState.loaded(service, read.seq(), read.historyLength(), read.instances());
    }

    /** Instance entries as read, with the newest stamp among them and a lower bound. */
    private record Stamped(long seq, long historyLength, Map<String, ServiceState.Instance> instances) {
    }

    /**
     * Reads the entries of {@code names} that exist, takes the newest stamp (at least
     * {@code floor}'s), and restores the history entries of the change that wrote it.
     */
    private static Stamped readStamped(Storage storage, String service, Iterable<String> names, Stamped floor) {
        long seq = floor.seq();
        long historyLength = floor.historyLength();
        Map<String, ServiceState.Instance> instances = new LinkedHashMap<>();
        List<Entry> read = new ArrayList<>();
        for (String instance : names) {
            Optional<Entry> entry = read(storage, service, instance);
            if (entry.isPresent()) {
                seq = Math.max(seq, entry.get().seq());
                historyLength = Math.max(historyLength, entry.get().historyLength());
                instances.put(instance, entry.get().instance());
                read.add(entry.get());
            }
        }
        restoreHistory(storage, service, read, historyLength);
        return new Stamped(seq, historyLength, instances);
    }

    /**
     * The history entries of the last change, if it was cut off before them: that change wrote the
     * entries with the newest stamp ({@code length}), and each carries its events. A change runs
     * only on a state read whole, so no earlier change can have left one missing.
     */
    private static void restoreHistory(Storage storage, String service, List<Entry> read, long length) {
        for (Entry entry : read) {
            if (entry.historyLength() == length && !entry.events().isEmpty()) {
                History.restore(storage, service, entry.events(), length);
                return; // every entry of one change carries the same events
            }
        }
    }

    /**
     * One instance entry as stored, with its stamp (0 for entries of the first layout, which had
     * none) and the events of the change that wrote it.
     */
    private record Entry(long seq, long historyLength, ServiceState.Instance instance, List<Map<String, Object>> events) {
    }

    @SuppressWarnings("unchecked")
    private static Optional<Entry> read(Storage storage, String service, String instance) {
        return storage.get(instanceKey(service, instance)).map(bytes -> {
            Map<String, Object> entry = decode(bytes);
            List<Publication> publications = new ArrayList<>();
            for (Object publication : (List<Object>) entry.get("publications")) {
                publications.add(Publication.fromStored((Map<String, Object>) publication));
            }
            Publication tombstone = entry.get("tombstone") instanceof Map<?, ?> stone
                    ? Publication.fromStored((Map<String, Object>) stone) : null;
            return new Entry(entry.get("seq") instanceof Number seq ? seq.longValue() : 0,
                    entry.get("history_length") instanceof Number length ? length.longValue() : 0,
                    new ServiceState.Instance(((Number) entry.get("generation")).longValue(), publications, tombstone),
                    entry.get("events") instanceof List<?> events ? (List<Map<String, Object>>) events : List.of());
        });
    }

    /**
     * The entries a change from {@code current} to {@code next}, a state made from it, with its
     * {@code events} writes: the events' history entries (at {@code current}'s history length
     * onwards) and the instances {@code next} says it touched ({@link ServiceState#touched}), each
     * stamped with the change's sequence and history length. The mount's
     * {@link LogWriter} stores them together with the change's log leaves: a batch record holds
     * them all before any is written, so a crash leaves all or none once rolled forward.
     *
     * <p>Entries written by versions before the log could be cut off part-way, so their instance
     * entries also carried the change's events; {@link #load} still reads those whole: it takes the
     * sequence and history length from the newest stamp, and writes any history entries missing
     * from the events the instance entry carries. Entries written through the log need neither.
     */
    static Map<String, byte[]> writes(ServiceState current, ServiceState next, List<History.Event> events) {
        if (!current.isStored()) {
            throw new IllegalArgumentException("a change starts from a state as stored");
        }
        Map<String, byte[]> writes = new LinkedHashMap<>(History.entries(next.service(), current.historyLength(), events));
        if (next.touched().isEmpty()) {
            if (next.seq() != current.seq() || next.historyLength() != current.historyLength()) {
                // No entry to carry the stamp (no change makes this today): the head keeps it, after
                // the events it counts. A service without instance entries is found by none, so it
                // cannot have a stamp.
                if (next.hasNoInstances()) {
                    throw new IllegalStateException("a change of a service without instances must write one");
                }
                writes.put(headKey(next.service()), head(next));
                return writes;
            }
            return Map.of();
        }
        for (String instance : next.touched()) {
            ServiceState.Instance stored = next.instance(instance);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("seq", next.seq());
            entry.put("history_length", next.historyLength());
            entry.put("generation", stored.generation());
            entry.put("publications", stored.listed().stream().map(Publication::toStored).toList());
            if (stored.tombstone() != null) {
                entry.put("tombstone", stored.tombstone().toStored());
            }
            writes.put(instanceKey(next.service(), instance), Json.write(entry).getBytes(StandardCharsets.UTF_8));
            List<Map<String, Object>> awaiting = awaiting(stored);
            if (!awaiting.equals(awaiting(current.instance(instance)))) {
                writes.put(rotationsKey(next.service(), instance), Json.write(awaiting).getBytes(StandardCharsets.UTF_8));
            }
        }
        return writes;
    }

    private static byte[] head(ServiceState state) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("seq", state.seq());
        head.put("history_length", state.historyLength());
        return Json.write(head).getBytes(StandardCharsets.UTF_8);
    }

    /** Every service ever published: those with instance entries, and heads of the first layout. */
    /**
     * The services with a rotation awaiting consumers, from their rotations entries: one {@code list}
     * of the prefix, and per service that ever awaited a {@code list} and a {@code get} per entry.
     * Read once per process, by the active node's sweep.
     */
    static List<String> servicesAwaiting(Storage storage) {
        List<String> awaiting = new java.util.ArrayList<>();
        for (String key : storage.list(ROTATIONS_PREFIX)) {
            if (!key.endsWith("/")) {
                continue;
            }
            String service = key.substring(0, key.length() - 1);
            String prefix = ROTATIONS_PREFIX + key;
            boolean any = storage.list(prefix).stream().map(instance -> storage.get(prefix + instance))
                    .anyMatch(entry -> entry.filter(bytes -> !new String(bytes, StandardCharsets.UTF_8).equals("[]")).isPresent());
            if (any) {
                awaiting.add(service);
            }
        }
        return awaiting;
    }

    static List<String> names(Storage storage) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : storage.list(INSTANCE_PREFIX)) {
            if (key.endsWith("/")) {
                names.add(key.substring(0, key.length() - 1));
            }
        }
        for (String key : storage.list(HEAD_PREFIX)) {
            if (!key.endsWith("/")) {
                names.add(key);
            }
        }
        return List.copyOf(names);
    }

    /** The service a storage key belongs to, or null if it is not one of a service's entries. */
    static String serviceOf(String key) {
        if (key.startsWith(HEAD_PREFIX)) {
            return key.substring(HEAD_PREFIX.length());
        }
        if (key.startsWith(INSTANCE_PREFIX)) {
            int slash = key.indexOf('/', INSTANCE_PREFIX.length());
            return slash < 0 ? null : key.substring(INSTANCE_PREFIX.length(), slash);
        }
        return null;
    }

    private static Map<String, Object> decode(byte[] bytes) {
        return Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
    }
}
