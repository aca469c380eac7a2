package dev.herald.engine;

import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One consumer session of one service (docs/design-ack.md §2, §4.1): the identity entity it speaks
 * for (from its token, never from the body), the session id its process made, the entity's aliases
 * for people to read, and what it last acknowledged. Stored whole at {@link #storageKey}, rewritten
 * in place by each acknowledgement, so nothing accumulates per ack. Immutable; made by a
 * {@link Builder}, which names every field (three are instants).
 *
 * @param seq       the highest seq of the service it verified and installed
 * @param ackedAt   its last acknowledgement or heartbeat: it counts until ackedAt + consumer_ttl
 * @param seqSince  when it first acknowledged {@code seq}
 * @param firstSeen its first acknowledgement
 */
record ConsumerEntry(String service, String entityId, String session, List<Alias> aliases, long seq, Instant ackedAt,
                     Instant seqSince, Instant firstSeen) {
    static final String PREFIX = "consumers/";
    /** At most this many aliases are kept, as EntityInfo returns them. */
    static final int MAX_ALIASES = 4;

    /**
     * An alias of the entity, as people read it: the auth mount's accessor and the alias name. A name
     * longer than {@link #LONGEST_NAME} bytes is kept as {@code sha256:<hex>} of it, so that an entry
     * stays within its bound (docs/design-ack.md §4.1) whatever an auth method names its aliases.
     */
    record Alias(String mountAccessor, String name) {
        static final int LONGEST_NAME = 256;

        Alias {
            byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length > LONGEST_NAME) {
                try {
                    name = "sha256:" + java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException("the JDK lacks SHA-256", e);
                }
            }
        }
    }

    ConsumerEntry {
        aliases = List.copyOf(aliases.subList(0, Math.min(aliases.size(), MAX_ALIASES)));
    }

    static Builder builder() {
        return new Builder();
    }

    Builder toBuilder() {
        return builder().service(service).entityId(entityId).session(session).aliases(aliases).seq(seq)
                .ackedAt(ackedAt).seqSince(seqSince).firstSeen(firstSeen);
    }

    /** The session's name within the service: entity and session, so no entity can name another's. */
    String id() {
        return id(entityId, session);
    }

    static String id(String entityId, String session) {
        return entityId + "." + session;
    }

    static String prefix(String service) {
        return PREFIX + service + "/";
    }

    String storageKey() {
        return prefix(service) + id();
    }

    /** The service a consumer entry's storage key belongs to, or null for another key. */
    static String serviceOf(String key) {
        if (!key.startsWith(PREFIX)) {
            return null;
        }
        int slash = key.indexOf('/', PREFIX.length());
        return slash < 0 ? null : key.substring(PREFIX.length(), slash);
    }

    /** Whether it counts at {@code now}: it acknowledged or heartbeat within consumer_ttl. */
    boolean countedAt(Instant now, java.time.Duration consumerTtl) {
        return ackedAt.plus(consumerTtl).isAfter(now);
    }

    byte[] encode() {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("entity_id", entityId);
        stored.put("session", session);
        List<Map<String, Object>> named = new ArrayList<>();
        for (Alias alias : aliases) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("mount_accessor", alias.mountAccessor());
            one.put("name", alias.name());
            named.add(one);
        }
        stored.put("aliases", named);
        stored.put("seq", seq);
        stored.put("acked_at", ackedAt.toString());
        stored.put("seq_since", seqSince.toString());
        stored.put("first_seen", firstSeen.toString());
        return Json.write(stored).getBytes(StandardCharsets.UTF_8);
    }

    static ConsumerEntry decode(String service, byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        List<Alias> aliases = new ArrayList<>();
        if (stored.get("aliases") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> alias) {
                    aliases.add(new Alias(String.valueOf(alias.get("mount_accessor")), String.valueOf(alias.get("name"))));
                }
            }
        }
        return builder()
                .service(service)
                .entityId((String) stored.get("entity_id"))
                .session((String) stored.get("session"))
                .aliases(aliases)
                .seq(((Number) stored.get("seq")).longValue())
                .ackedAt(Instant.parse((String) stored.get("acked_at")))
                .seqSince(Instant.parse((String) stored.get("seq_since")))
                .firstSeen(Instant.parse((String) stored.get("first_seen")))
                .build();
    }

    /** Names every field of a {@link ConsumerEntry}; {@link #build} fails on any left out. */
    static final class Builder {
        private String service;
        private String entityId;
        private String session;
        private List<Alias> aliases;
        private Long seq;
        private Instant ackedAt;
        private Instant seqSince;
        private Instant firstSeen;

        private Builder() {
        }

        Builder service(String value) {
            service = value;
            return this;
        }

        Builder entityId(String value) {
            entityId = value;
            return this;
        }

        Builder session(String value) {
            session = value;
            return this;
        }

        Builder aliases(List<Alias> value) {
            aliases = value;
            return this;
        }

        Builder seq(long value) {
            seq = value;
            return this;
        }

        Builder ackedAt(Instant value) {
            ackedAt = value;
            return this;
        }

        Builder seqSince(Instant value) {
            seqSince = value;
            return this;
        }

        Builder firstSeen(Instant value) {
            firstSeen = value;
            return this;
        }

        /** @throws IllegalStateException naming the first field left out */
        ConsumerEntry build() {
            return new ConsumerEntry(
                    Required.field(service, "ConsumerEntry", "service"),
                    Required.field(entityId, "ConsumerEntry", "entityId"),
                    Required.field(session, "ConsumerEntry", "session"),
                    Required.field(aliases, "ConsumerEntry", "aliases"),
                    Required.field(seq, "ConsumerEntry", "seq"),
                    Required.field(ackedAt, "ConsumerEntry", "ackedAt"),
                    Required.field(seqSince, "ConsumerEntry", "seqSince"),
                    Required.field(firstSeen, "ConsumerEntry", "firstSeen"));
        }
    }
}
