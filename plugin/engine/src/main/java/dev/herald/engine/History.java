package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The append-only history (DESIGN §5.6): one storage entry per event, under
 * {@code history/<service>/<index>} for a service's events and {@code signer-history/<time>} for
 * signer rotations, which concern every service and are merged into each service's history when it
 * is read. Nothing here edits or deletes an entry.
 */
final class History {
    private static final String SERVICE_PREFIX = "history/";
    private static final String SIGNER_PREFIX = "signer-history/";

    private History() {
    }

    /**
     * What happened, to which publication, by whom. Made only by a {@link Builder}, which names every
     * field: several are strings or numbers, and a positional list would let two of them swap unseen.
     *
     * @param instance   the instance it concerns, with its {@code generation}; empty (and 0) for the signer's events
     * @param sequence   the service's sequence the event made; 0 if it changed no live set
     * @param detail     free text (a reason, a role); may be empty
     * @param logIndex   the index of its leaf in the mount's log; {@link Publication#NOT_LOGGED} for
     *                   events before the mount had a log, and until the change is sequenced
     */
    record Event(String type, Instant time, String instance, long generation, String fingerprint,
                 PublisherIdentity actor, long sequence, String detail, long logIndex) {

        static Builder builder() {
            return new Builder();
        }

        Map<String, Object> toData() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("type", type);
            data.put("time", time.toString());
            if (!instance.isEmpty()) {
                data.put("instance", instance);
                data.put("generation", generation);
            }
            data.put("fingerprint", fingerprint);
            Map<String, Object> by = new LinkedHashMap<>();
            by.put("entity_id", actor.entityId());
            by.put("alias_name", actor.aliasName());
            by.put("mount_accessor", actor.mountAccessor());
            by.put("token_accessor", actor.tokenAccessor());
            data.put("actor", by);
            if (sequence > 0) {
                data.put("sequence", sequence);
            }
            if (!detail.isEmpty()) {
                data.put("detail", detail);
            }
            if (logIndex != Publication.NOT_LOGGED) {
                data.put("log_index", logIndex);
            }
            return data;
        }

        /** This event as the leaf at {@code index} of the mount's log tells it. */
        Event logged(long index) {
            Builder builder = builder().type(type).time(time).fingerprint(fingerprint).actor(actor).sequence(sequence)
                    .detail(detail).logIndex(index);
            return instance.isEmpty() ? builder.build() : builder.instance(instance).generation(generation).build();
        }

        /**
         * Names every field of an {@link Event}. Required: type, time, fingerprint and actor, and
         * the instance and generation together if either is set. Left out: no instance (a signer
         * event), sequence 0 (no live set changed), no detail.
         */
        static final class Builder {
            private String type;
            private Instant time;
            private String instance;
            private Long generation;
            private String fingerprint;
            private PublisherIdentity actor;
            private long sequence;
            private String detail = "";
            private long logIndex = Publication.NOT_LOGGED;

            private Builder() {
            }

            Builder type(String value) {
                type = value;
                return this;
            }

            Builder time(Instant value) {
                time = value;
                return this;
            }

            Builder instance(String value) {
                instance = value;
                return this;
            }

            Builder generation(long value) {
                generation = value;
                return this;
            }

            Builder fingerprint(String value) {
                fingerprint = value;
                return this;
            }

            /** The publication the event concerns: its instance, generation and key's fingerprint. */
            Builder about(Publication publication) {
                return instance(publication.instance()).generation(publication.generation())
                        .fingerprint(publication.key().fingerprint());
            }

            Builder actor(PublisherIdentity value) {
                actor = value;
                return this;
            }

            Builder sequence(long value) {
                sequence = value;
                return this;
            }

            Builder detail(String value) {
                detail = value;
                return this;
            }

            /** Optional: not logged ({@link Publication#NOT_LOGGED}) unless given. */
            Builder logIndex(long value) {
                logIndex = value;
                return this;
            }

            /** @throws IllegalStateException naming the first required field left out */
            Event build() {
                if (instance != null || generation != null) {
                    Required.field(instance, "History.Event", "instance (given with generation " + generation + ")");
                    Required.field(generation, "History.Event", "generation (of instance " + instance + ")");
                }
                return new Event(
                        Required.field(type, "History.Event", "type"),
                        Required.field(time, "History.Event", "time"),
                        instance == null ? "" : instance,
                        generation == null ? 0 : generation,
                        Required.field(fingerprint, "History.Event", "fingerprint"),
                        Required.field(actor, "History.Event", "actor"),
                        sequence,
                        Required.field(detail, "History.Event", "detail"),
                        logIndex);
            }
        }
    }

    static String serviceKey(String service, long index) {
        return SERVICE_PREFIX + service + "/" + String.format("%012d", index);
    }

    /**
     * A service's events as the entries to write, at indices {@code from}, {@code from + 1}...:
     * written together with the instance entries whose stamp counts them, in one batch of the
     * mount's log ({@link ServiceStore#writes}). If neither is written, the next
     * change writes over these same indices, so history never shows an event twice nor skips one
     * that was acknowledged.
     */
    static Map<String, byte[]> entries(String service, long from, List<Event> events) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            entries.put(serviceKey(service, from + i), encode(events.get(i)));
        }
        return entries;
    }

    /**
     * Writes each event an instance entry carries (as versions before the log wrote them: each
     * with its {@code index}) whose history entry is
     * missing, if the stored history length counts it: the change that wrote the instance entry
     * was cut off before its history entries. One {@code get} per event carried.
     */
    @SuppressWarnings("unchecked")
    static void restore(Storage storage, String service, List<Map<String, Object>> embedded, long length) {
        for (Map<String, Object> carried : embedded) {
            long index = ((Number) carried.get("index")).longValue();
            if (index < length && storage.get(serviceKey(service, index)).isEmpty()) {
                storage.put(serviceKey(service, index),
                        Json.write(carried.get("event")).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The storage entry of a signer rotation's event: under its time, so that the mount's rotations list in order. */
    static Map<String, byte[]> signerRotationEntry(Event event) {
        return Map.of(SIGNER_PREFIX + String.format("%020d", event.time().getEpochSecond() * 1_000_000_000L
                + event.time().getNano()), encode(event));
    }

    /**
     * Some of a service's events, oldest first, and {@code next}: the index of the first event after
     * them, or -1 when they run to the end.
     */
    record Page(List<Map<String, Object>> events, long next) {
        Page {
            events = List.copyOf(events);
        }
    }

    /**
     * The service's events at indices {@code from} to {@code from + limit - 1} (of {@code length}),
     * with the signer rotations that fall among them: each rotation since the service's first event
     * goes on the one page whose span of time holds it (after the event before the page, up to and
     * including the page's last event; the last page takes every later one), so that reading every
     * page shows each event once, in order.
     */
    static Page read(Storage storage, String service, long length, long from, long limit) {
        long to = Math.min(length, from + limit);
        List<Map<String, Object>> events = new ArrayList<>();
        for (long i = from; i < to; i++) {
            storage.get(serviceKey(service, i)).ifPresent(bytes -> events.add(decode(bytes)));
        }
        if (events.isEmpty()) {
            return new Page(events, -1);
        }
        // The first page has read the service's first event already; a later one reads two more.
        Instant first = from == 0 ? time(events.getFirst()) : timeAt(storage, service, 0);
        Instant lower = from == 0 ? first : timeAt(storage, service, from - 1);
        Instant upper = to < length ? time(events.getLast()) : Instant.MAX;
        for (String key : storage.list(SIGNER_PREFIX)) {
            storage.get(SIGNER_PREFIX + key).map(History::decode)
                    .filter(event -> time(event).isAfter(first) && time(event).isAfter(lower) && !time(event).isAfter(upper))
                    .ifPresent(events::add);
        }
        events.sort(Comparator.comparing(History::time));
        return new Page(events, to < length ? to : -1);
    }

    private static Instant time(Map<String, Object> event) {
        return Instant.parse((String) event.get("time"));
    }

    /** The time of the service's event at {@code index}; the earliest time if it cannot be read. */
    private static Instant timeAt(Storage storage, String service, long index) {
        return storage.get(serviceKey(service, index)).map(History::decode).map(History::time).orElse(Instant.MIN);
    }

    private static byte[] encode(Event event) {
        return Json.write(event.toData()).getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> decode(byte[] bytes) {
        return Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
    }
}
