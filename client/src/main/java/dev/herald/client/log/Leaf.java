package dev.herald.client.log;

import dev.herald.tlog.Jcs;
import dev.herald.tlog.MalformedException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One leaf of the log, parsed (design-log §1.2): the JCS encoding of an event's public fields. Only
 * canonical bytes of leaf format 1 are accepted: one event has one leaf.
 *
 * @param bytes the leaf as stored (its hash is the tree's)
 * @param members the parsed object
 */
public record Leaf(byte[] bytes, Map<String, Object> members) {
    /** The events that publish a key, and so carry {@code spki}. */
    public static final Set<String> PUBLISHING = Set.of("publish", "revive", "rotate");

    /**
     * Parses and checks a leaf.
     *
     * @throws MalformedException if it is not canonical JCS, not an object, not of format {@code v} 1,
     *     or lacks a member its type needs
     */
    @SuppressWarnings("unchecked")
    public static Leaf parse(byte[] bytes) throws MalformedException {
        if (!(Jcs.parseCanonical(bytes) instanceof Map<?, ?> object)) {
            throw new MalformedException("a leaf is a JSON object");
        }
        Leaf leaf = new Leaf(bytes.clone(), (Map<String, Object>) object);
        if (!(object.get("v") instanceof Long v) || v != 1) {
            throw new MalformedException("a leaf of format " + object.get("v") + ", not 1");
        }
        if (!(object.get("type") instanceof String)) {
            throw new MalformedException("a leaf without a type");
        }
        if (leaf.service().isPresent() && leaf.historyIndex().isEmpty()) {
            throw new MalformedException("a service event's leaf without history_index");
        }
        if (PUBLISHING.contains(leaf.type())) {
            if (leaf.service().isEmpty() || leaf.instance().isEmpty() || leaf.generation().isEmpty()) {
                throw new MalformedException("a " + leaf.type() + " leaf without service, instance or generation");
            }
            if (leaf.spki().isEmpty()) {
                throw new MalformedException("a " + leaf.type() + " leaf without a valid spki");
            }
        }
        return leaf;
    }

    public String type() {
        return (String) members.get("type");
    }

    public Optional<String> service() {
        return string("service");
    }

    public Optional<String> instance() {
        return string("instance");
    }

    public OptionalLong generation() {
        return integer("generation");
    }

    public OptionalLong historyIndex() {
        return integer("history_index");
    }

    /** {@code seq}, 0 when absent (the leaf carries it only when it is above 0). */
    public long seq() {
        return integer("seq").orElse(0);
    }

    /** The published key's DER SubjectPublicKeyInfo, for publish, revive and rotate. */
    public Optional<byte[]> spki() {
        try {
            return string("spki").map(Base64.getDecoder()::decode);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code actor.entity_id}, if any. */
    public Optional<String> entityId() {
        return members.get("actor") instanceof Map<?, ?> actor && actor.get("entity_id") instanceof String id
                ? Optional.of(id) : Optional.empty();
    }

    /** What {@code herald log watch} prints of it: its index and the members a monitor reads. */
    public Map<String, Object> summary(long index) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("index", index);
        for (String member : new String[] {"type", "time", "service", "instance", "generation", "seq", "fingerprint", "actor"}) {
            if (members.containsKey(member)) {
                out.put(member, members.get(member));
            }
        }
        return out;
    }

    private Optional<String> string(String member) {
        return members.get(member) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private OptionalLong integer(String member) {
        return members.get(member) instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
    }
}
