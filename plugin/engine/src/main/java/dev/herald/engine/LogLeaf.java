package dev.herald.engine;

import dev.herald.sdk.VaultException;
import dev.herald.tlog.Jcs;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The bytes of one leaf of the mount's log (docs/design-log.md §1.2): the RFC 8785 encoding of
 * one JSON object per history event. Public by design (tiles are served without a token), so the
 * event's token accessor and detail are in it only through {@code event}, the hash of the whole
 * history entry.
 */
final class LogLeaf {
    /** A leaf's format version: a verifier refuses others. */
    static final long VERSION = 1;
    /** The most bytes a leaf may have: a full entry bundle then stays under the servers' entry limits. */
    static final int MAX_BYTES = 2000;
    /** The event types that list a key: their leaves carry it. */
    static final Set<String> PUBLISHING = Set.of("publish", "revive", "rotate");
    /** The end of a rotation that awaited consumers (docs/design-ack.md §8). */
    static final String ROTATION_END = "rotation_end";
    /** Longer alias names are replaced by their hash, so that no real event comes near the size limit. */
    private static final int MAX_ALIAS_BYTES = 256;

    private LogLeaf() {
    }

    /**
     * The leaf of a service's event.
     *
     * @param historyIndex the event's index in the service's history
     * @param key          the key the event listed (for {@link #PUBLISHING} events), else null
     * @throws VaultException 400 if the leaf would be larger than {@link #MAX_BYTES}
     */
    static byte[] ofServiceEvent(String service, long historyIndex, History.Event event, PublisherKey key) {
        Map<String, Object> leaf = common(event);
        leaf.put("service", service);
        leaf.put("history_index", historyIndex);
        if (!event.instance().isEmpty()) {
            leaf.put("instance", event.instance());
            leaf.put("generation", event.generation());
        }
        if (event.sequence() > 0) {
            leaf.put("seq", event.sequence());
        }
        if (PUBLISHING.contains(event.type())) {
            if (key == null) {
                throw new IllegalArgumentException("a " + event.type() + " event's leaf carries its key");
            }
            leaf.put("spki", Base64.getEncoder().encodeToString(key.spki()));
        }
        return bounded(leaf);
    }

    /** The leaf of a rotation of the record-signing key: the new key's public JWK. */
    static byte[] ofSignerRotation(History.Event event, Map<String, Object> jwk) {
        Map<String, Object> leaf = common(event);
        leaf.put("jwk", jwk);
        return bounded(leaf);
    }

    private static Map<String, Object> common(History.Event event) {
        Map<String, Object> leaf = new LinkedHashMap<>(); // Jcs sorts the members
        leaf.put("v", VERSION);
        leaf.put("type", event.type());
        leaf.put("time", event.time().toString());
        leaf.put("fingerprint", event.fingerprint());
        Map<String, Object> actor = new LinkedHashMap<>();
        // Who consumes which service is a dependency map the public tiles must not give away
        // (docs/design-ack.md §8): a rotation's end is the engine's in its leaf, whichever
        // consumer's acknowledgement completed it; history names them, and the leaf's event hash
        // commits to that.
        PublisherIdentity by = event.type().equals(ROTATION_END) ? PublisherIdentity.unbound("") : event.actor();
        actor.put("entity_id", by.entityId());
        String alias = by.aliasName();
        if (alias.getBytes(StandardCharsets.UTF_8).length > MAX_ALIAS_BYTES) {
            actor.put("alias_name_sha256", HexFormat.of().formatHex(PublisherKey.sha256(alias.getBytes(StandardCharsets.UTF_8))));
        } else {
            actor.put("alias_name", alias);
        }
        actor.put("mount_accessor", by.mountAccessor());
        leaf.put("actor", actor);
        leaf.put("event", "sha256:" + HexFormat.of().formatHex(PublisherKey.sha256(Jcs.encode(event.toData()))));
        return leaf;
    }

    private static byte[] bounded(Map<String, Object> leaf) {
        byte[] bytes = Jcs.encode(leaf);
        if (bytes.length > MAX_BYTES) {
            throw VaultException.badRequest("the change's log entry would be " + bytes.length + " bytes, over the "
                    + MAX_BYTES + " a log entry may have (shorten the instance name or the key)");
        }
        return bytes;
    }
}
