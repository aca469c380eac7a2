package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import dev.herald.client.log.LogWire;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One live instance of a service as a verified {@link DiscoveryRecord} lists it: its published public key
 * and the claims published with it. During a rotation an instance is listed twice, once per
 * generation, until the old key's overlap ends. Immutable; made only by {@link RecordVerifier}.
 */
public final class Instance {
    private final String name;
    private final long generation;
    private final Jwk key;
    private final String fingerprint;
    private final List<String> endpoints;
    private final List<String> ipAddresses;
    private final List<String> dnsNames;
    private final Map<String, String> metadata;
    private final Instant notBefore;
    private final Instant notAfter;
    private final OptionalLong logIndex;

    private Instance(Claims claims, Jwk key, String fingerprint) {
        this.name = claims.string("instance");
        this.generation = claims.integer("generation");
        this.key = key;
        this.fingerprint = fingerprint;
        this.endpoints = claims.strings("endpoints");
        this.ipAddresses = claims.strings("ip_addresses");
        this.dnsNames = claims.strings("dns_names");
        this.metadata = claims.stringMap("metadata");
        this.notBefore = claims.time("not_before");
        this.notAfter = claims.time("not_after");
        this.logIndex = claims.has(LogWire.INDEX_CLAIM) ? OptionalLong.of(claims.integer(LogWire.INDEX_CLAIM)) : OptionalLong.empty();
    }

    /**
     * One member of a record's {@code instances}, checked: its JWK is a supported public key, its
     * kid (if it has one) is its thumbprint, and its {@code fingerprint} is that key's.
     */
    static Instance fromClaims(Object member) {
        Claims claims = Claims.of(member, "record instance");
        String name = claims.string("instance");
        String where = "record instance " + Claims.quote(name);
        claims = Claims.of(member, where);
        Jwk key = Jwk.parse(claims.object("jwk").members());
        String kid = key.kid().orElse(null);
        if (kid != null && !kid.equals(key.thumbprint())) {
            throw new VerificationException(where + ": its jwk has kid " + Claims.quote(kid)
                    + ", which is not the key's thumbprint " + key.thumbprint());
        }
        String fingerprint = claims.string("fingerprint");
        if (!key.hasFingerprint(fingerprint)) {
            throw new VerificationException(where + ": its jwk does not match its fingerprint " + Claims.quote(fingerprint));
        }
        Instance instance = new Instance(claims, key, fingerprint);
        if (instance.logIndex.isPresent() && instance.logIndex.getAsLong() < 0) {
            throw new VerificationException(where + ": log_index " + instance.logIndex.getAsLong() + " is negative");
        }
        if (instance.generation < 1) {
            throw new VerificationException(where + ": generation " + instance.generation + " is not positive");
        }
        return instance;
    }

    /** The instance name (the {@code :instance} it was published under). */
    public String name() {
        return name;
    }

    /** 1, 2, ... per instance: each rotation makes the next. */
    public long generation() {
        return generation;
    }

    public PublicKey publicKey() {
        return key.publicKey();
    }

    /** The key as a JWK, with its thumbprint. */
    public Jwk jwk() {
        return key;
    }

    /** {@code sha256:<hex of the SubjectPublicKeyInfo>}, as the publisher's answer showed it. */
    public String fingerprint() {
        return fingerprint;
    }

    /** {@code host:port} or URLs the publisher advertised (checked by its role's limits). */
    public List<String> endpoints() {
        return endpoints;
    }

    public List<String> ipAddresses() {
        return ipAddresses;
    }

    public List<String> dnsNames() {
        return dnsNames;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Instant notBefore() {
        return notBefore;
    }

    /** When this publication ends (a record never outlives the earliest of its instances). */
    public Instant notAfter() {
        return notAfter;
    }

    /** {@code log_index}: the index of the log leaf that published this key, if the engine keeps a log. */
    public OptionalLong logIndex() {
        return logIndex;
    }

    @Override
    public String toString() {
        return "Instance[" + name + " generation " + generation + ", " + fingerprint + ", until " + notAfter + "]";
    }
}
