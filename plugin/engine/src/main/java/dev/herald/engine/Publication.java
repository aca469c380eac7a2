package dev.herald.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One published key of one instance, with its claims: write-once, so nothing here changes after
 * publication except its end ({@code notAfter}: renewals move it, a successor or a revocation
 * brings it forward). Immutable. Made only by a {@link Builder}, which names every field (three are
 * instants, and a positional list would let two of them swap unseen); {@link #toBuilder} starts a
 * changed copy.
 *
 * @param generation  1, 2, ... per instance
 * @param ttl         the lifetime it was published with; a renewal without increment extends by it
 * @param maxNotAfter the latest {@code notAfter} renewals may reach (publication + max_ttl)
 * @param superseded  a successor key was published; this one stays listed only for min_overlap
 * @param logIndex    the index of the log leaf of the event that published it ({@link #NOT_LOGGED}
 *                    for publications made before the mount had a log, and until the change is sequenced)
 * @param overlap     for a superseded publication whose rotation awaited consumers: that rotation's
 *                    overlap (docs/design-ack.md §4.1); empty otherwise
 */
record Publication(String instance, long generation, PublisherKey key, EndpointClaims claims,
                   Map<String, String> metadata, Instant notBefore, Instant notAfter, Instant maxNotAfter,
                   Duration ttl, String role, PublisherIdentity publisher, boolean leaseBound, boolean superseded,
                   long logIndex, Optional<Overlap> overlap) {
    static final long NOT_LOGGED = -1;

    Publication {
        metadata = Map.copyOf(metadata);
    }

    static Builder builder() {
        return new Builder();
    }

    /** A builder holding this publication's fields, for a copy that changes some of them. */
    Builder toBuilder() {
        return builder()
                .instance(instance)
                .generation(generation)
                .key(key)
                .claims(claims)
                .metadata(metadata)
                .notBefore(notBefore)
                .notAfter(notAfter)
                .maxNotAfter(maxNotAfter)
                .ttl(ttl)
                .role(role)
                .publisher(publisher)
                .leaseBound(leaseBound)
                .superseded(superseded)
                .logIndex(logIndex)
                .overlap(overlap);
    }

    boolean liveAt(Instant now) {
        return notAfter.isAfter(now);
    }

    /** Whether a publish request with this key, claims and metadata would publish exactly this. */
    boolean sameContent(PublisherKey otherKey, EndpointClaims otherClaims, Map<String, String> otherMetadata) {
        return key.equals(otherKey) && claims.equals(otherClaims) && metadata.equals(otherMetadata);
    }

    /** When rotation opens: once {@code window} of its lifetime has passed. */
    Instant rotationOpensAt(double window) {
        long lifetime = Duration.between(notBefore, notAfter).toMillis();
        return notBefore.plusMillis((long) Math.ceil(lifetime * window));
    }

    Publication endingAt(Instant end) {
        return toBuilder().notAfter(end).build();
    }

    Publication supersededAt(Instant now, Duration minOverlap) {
        Instant end = notAfter.isBefore(now.plus(minOverlap)) ? notAfter : now.plus(minOverlap);
        return toBuilder().notAfter(end).superseded(true).build();
    }

    /** The member of a record's {@code instances}, as DESIGN §5.4 lists it. */
    Map<String, Object> toRecordClaims() {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("instance", instance);
        claim.put("generation", generation);
        claim.put("jwk", key.jwk());
        claim.put("fingerprint", key.fingerprint());
        claim.putAll(claims.toClaims());
        claim.put("metadata", new TreeMap<>(metadata));
        claim.put("not_before", notBefore.getEpochSecond());
        claim.put("not_after", notAfter.getEpochSecond());
        claim.put("publisher", publisher.toClaims());
        if (logIndex != NOT_LOGGED) {
            claim.put("log_index", logIndex);
        }
        return claim;
    }

    Map<String, Object> toStored() {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("instance", instance);
        stored.put("generation", generation);
        stored.put("key_type", key.type());
        stored.put("spki", Base64.getEncoder().encodeToString(key.spki()));
        if (key.certificatePem() != null) {
            stored.put("certificate", key.certificatePem());
        }
        stored.putAll(claims.toClaims());
        stored.put("metadata", new TreeMap<>(metadata));
        stored.put("not_before", notBefore.toString());
        stored.put("not_after", notAfter.toString());
        stored.put("max_not_after", maxNotAfter.toString());
        stored.put("ttl_seconds", ttl.toSeconds());
        stored.put("role", role);
        stored.put("publisher", publisher.toStored());
        stored.put("lease_bound", leaseBound);
        stored.put("superseded", superseded);
        if (logIndex != NOT_LOGGED) {
            stored.put("log_index", logIndex);
        }
        overlap.ifPresent(o -> stored.put("overlap", o.toStored()));
        return stored;
    }

    @SuppressWarnings("unchecked")
    static Publication fromStored(Map<String, Object> stored) {
        return builder()
                .instance((String) stored.get("instance"))
                .generation(((Number) stored.get("generation")).longValue())
                .key(new PublisherKey((String) stored.get("key_type"),
                        Base64.getDecoder().decode((String) stored.get("spki")), (String) stored.get("certificate")))
                .claims(EndpointClaims.fromStored(stored))
                .metadata((Map<String, String>) (Map<?, ?>) stored.get("metadata"))
                .notBefore(Instant.parse((String) stored.get("not_before")))
                .notAfter(Instant.parse((String) stored.get("not_after")))
                .maxNotAfter(Instant.parse((String) stored.get("max_not_after")))
                .ttl(Duration.ofSeconds(((Number) stored.get("ttl_seconds")).longValue()))
                .role((String) stored.get("role"))
                .publisher(PublisherIdentity.fromStored((Map<String, Object>) stored.get("publisher")))
                .leaseBound((Boolean) stored.get("lease_bound"))
                .superseded((Boolean) stored.get("superseded"))
                .logIndex(stored.get("log_index") instanceof Number index ? index.longValue() : NOT_LOGGED)
                .overlap(stored.get("overlap") instanceof Map<?, ?> o
                        ? Optional.of(Overlap.fromStored((Map<String, Object>) o)) : Optional.empty())
                .build();
    }

    /** Names every field of a {@link Publication}; {@link #build} fails on any left out. */
    static final class Builder {
        private String instance;
        private Long generation;
        private PublisherKey key;
        private EndpointClaims claims;
        private Map<String, String> metadata;
        private Instant notBefore;
        private Instant notAfter;
        private Instant maxNotAfter;
        private Duration ttl;
        private String role;
        private PublisherIdentity publisher;
        private Boolean leaseBound;
        private Boolean superseded;
        private long logIndex = NOT_LOGGED;
        private Optional<Overlap> overlap = Optional.empty();

        private Builder() {
        }

        Builder instance(String value) {
            instance = value;
            return this;
        }

        Builder generation(long value) {
            generation = value;
            return this;
        }

        Builder key(PublisherKey value) {
            key = value;
            return this;
        }

        Builder claims(EndpointClaims value) {
            claims = value;
            return this;
        }

        Builder metadata(Map<String, String> value) {
            metadata = value;
            return this;
        }

        Builder notBefore(Instant value) {
            notBefore = value;
            return this;
        }

        Builder notAfter(Instant value) {
            notAfter = value;
            return this;
        }

        Builder maxNotAfter(Instant value) {
            maxNotAfter = value;
            return this;
        }

        Builder ttl(Duration value) {
            ttl = value;
            return this;
        }

        Builder role(String value) {
            role = value;
            return this;
        }

        Builder publisher(PublisherIdentity value) {
            publisher = value;
            return this;
        }

        Builder leaseBound(boolean value) {
            leaseBound = value;
            return this;
        }

        Builder superseded(boolean value) {
            superseded = value;
            return this;
        }

        /** Optional: not logged ({@link #NOT_LOGGED}) unless given. */
        Builder overlap(Optional<Overlap> value) {
            overlap = java.util.Objects.requireNonNull(value);
            return this;
        }

        Builder logIndex(long value) {
            logIndex = value;
            return this;
        }

        /** @throws IllegalStateException naming the first field left out */
        Publication build() {
            return new Publication(
                    Required.field(instance, "Publication", "instance"),
                    Required.field(generation, "Publication", "generation"),
                    Required.field(key, "Publication", "key"),
                    Required.field(claims, "Publication", "claims"),
                    Required.field(metadata, "Publication", "metadata"),
                    Required.field(notBefore, "Publication", "notBefore"),
                    Required.field(notAfter, "Publication", "notAfter"),
                    Required.field(maxNotAfter, "Publication", "maxNotAfter"),
                    Required.field(ttl, "Publication", "ttl"),
                    Required.field(role, "Publication", "role"),
                    Required.field(publisher, "Publication", "publisher"),
                    Required.field(leaseBound, "Publication", "leaseBound"),
                    Required.field(superseded, "Publication", "superseded"),
                    logIndex, overlap);
        }
    }
}
