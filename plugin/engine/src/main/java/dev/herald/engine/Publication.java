package dev.herald.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One published key of one instance, with its claims: write-once, so nothing here changes after
 * publication except its end ({@code notAfter}: renewals move it, a successor or a revocation
 * brings it forward). Immutable.
 *
 * @param generation  1, 2, ... per instance
 * @param ttl         the lifetime it was published with; a renewal without increment extends by it
 * @param maxNotAfter the latest {@code notAfter} renewals may reach (publication + max_ttl)
 * @param superseded  a successor key was published; this one stays listed only for min_overlap
 */
record Publication(String instance, long generation, PublisherKey key, EndpointClaims claims,
                   Map<String, String> metadata, Instant notBefore, Instant notAfter, Instant maxNotAfter,
                   Duration ttl, String role, PublisherIdentity publisher, boolean leaseBound, boolean superseded) {

    Publication {
        metadata = Map.copyOf(metadata);
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
        return new Publication(instance, generation, key, claims, metadata, notBefore, end, maxNotAfter, ttl, role,
                publisher, leaseBound, superseded);
    }

    Publication supersededAt(Instant now, Duration minOverlap) {
        Instant end = notAfter.isBefore(now.plus(minOverlap)) ? notAfter : now.plus(minOverlap);
        return new Publication(instance, generation, key, claims, metadata, notBefore, end, maxNotAfter, ttl, role,
                publisher, leaseBound, true);
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
        return stored;
    }

    @SuppressWarnings("unchecked")
    static Publication fromStored(Map<String, Object> stored) {
        return new Publication((String) stored.get("instance"),
                ((Number) stored.get("generation")).longValue(),
                new PublisherKey((String) stored.get("key_type"), Base64.getDecoder().decode((String) stored.get("spki")),
                        (String) stored.get("certificate")),
                new EndpointClaims((List<String>) stored.get("endpoints"), (List<String>) stored.get("ip_addresses"),
                        (List<String>) stored.get("dns_names")),
                (Map<String, String>) (Map<?, ?>) stored.get("metadata"),
                Instant.parse((String) stored.get("not_before")),
                Instant.parse((String) stored.get("not_after")),
                Instant.parse((String) stored.get("max_not_after")),
                Duration.ofSeconds(((Number) stored.get("ttl_seconds")).longValue()),
                (String) stored.get("role"),
                PublisherIdentity.fromStored((Map<String, Object>) stored.get("publisher")),
                (Boolean) stored.get("lease_bound"),
                (Boolean) stored.get("superseded"));
    }
}
