package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a {@link ServiceState} lies in storage: a small head per service ({@code services/<name>}:
 * sequence and history length) and one entry per instance ({@code instances/<name>/<instance>}:
 * its last generation and its listed publications). A change writes the head and only the
 * instances it touched, so a publication costs the same in a service of 10,000 instances as in one
 * of 1, and no entry grows with the service.
 */
final class ServiceStore {
    static final String HEAD_PREFIX = "services/";
    static final String INSTANCE_PREFIX = "instances/";

    private ServiceStore() {
    }

    static String headKey(String service) {
        return HEAD_PREFIX + service;
    }

    static String instanceKey(String service, String instance) {
        return INSTANCE_PREFIX + service + "/" + instance;
    }

    /** The service's state; an empty one if it was never published. */
    @SuppressWarnings("unchecked")
    static ServiceState load(Storage storage, String service) {
        var head = storage.get(headKey(service));
        if (head.isEmpty()) {
            return ServiceState.empty(service);
        }
        Map<String, Object> stored = decode(head.get());
        Map<String, ServiceState.Instance> instances = new LinkedHashMap<>(); // in the listing's order, usually sorted already
        // The change that wrote an instance entry last, as the entry says: newer than the head if the
        // head of that change was never written (see save).
        long[] writtenAt = {((Number) stored.get("seq")).longValue(), ((Number) stored.get("history_length")).longValue()};
        for (String instance : storage.list(INSTANCE_PREFIX + service + "/")) {
            storage.get(instanceKey(service, instance)).ifPresent(bytes -> {
                Map<String, Object> entry = decode(bytes);
                if (entry.get("seq") instanceof Number seq && entry.get("history_length") instanceof Number length) {
                    writtenAt[0] = Math.max(writtenAt[0], seq.longValue());
                    writtenAt[1] = Math.max(writtenAt[1], length.longValue());
                }
                List<Publication> publications = new ArrayList<>();
                for (Object publication : (List<Object>) entry.get("publications")) {
                    publications.add(Publication.fromStored((Map<String, Object>) publication));
                }
                Publication tombstone = entry.get("tombstone") instanceof Map<?, ?> stone
                        ? Publication.fromStored((Map<String, Object>) stone) : null;
                instances.put(instance, new ServiceState.Instance(((Number) entry.get("generation")).longValue(),
                        publications, tombstone));
            });
        }
        return ServiceState.loaded(service, writtenAt[0], writtenAt[1], instances);
    }

    /**
     * Writes what changed from {@code current} to {@code next}, a state made from it: the instances
     * {@code next} says it touched ({@link ServiceState#touched}, in name order) first, each stamped
     * with the change's sequence and history length, then the head. The history entries are written
     * before both ({@link Registry#change}). A crash (or failed write) before an instance entry
     * leaves nothing of the change but history entries past the head's history length, which the
     * next change writes over. A crash after one leaves that instance changed and the head behind:
     * {@link #load} takes the sequence and history length from the newest stamp, so the change is
     * whole (a change touches one instance; tidy, the only one that touches several, changes no
     * live set), with its history, under a sequence never served for another live set.
     */
    static void save(Storage storage, ServiceState current, ServiceState next) {
        if (!current.isStored()) {
            throw new IllegalArgumentException("a change starts from a state as stored");
        }
        if (current.isEmpty()) {
            writeHead(storage, current); // a first change: its instance entries need a head to be found by
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
            storage.put(instanceKey(next.service(), instance), Json.write(entry).getBytes(StandardCharsets.UTF_8));
        }
        writeHead(storage, next);
    }

    private static void writeHead(Storage storage, ServiceState state) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("seq", state.seq());
        head.put("history_length", state.historyLength());
        storage.put(headKey(state.service()), Json.write(head).getBytes(StandardCharsets.UTF_8));
    }

    /** Every service ever published. */
    static List<String> names(Storage storage) {
        return storage.list(HEAD_PREFIX).stream().filter(key -> !key.endsWith("/")).sorted().toList();
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
