package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The mount's signing keys: the current one, made at first use with the configured algorithm,
 * and the retired ones that still verify for {@code verification_ttl}. All versions are one
 * storage entry under {@code signer/}, which the mount declares seal-wrapped.
 */
final class Signer {
    static final String STORAGE_KEY = "signer/keys";

    private final Storage storage;
    private final Clock clock;
    /** Serialises the first-use generation: two concurrent first reads must not make two keys. */
    private final Object lock = new Object();

    Signer(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /** Every key version, oldest first; empty before first use. */
    @SuppressWarnings("unchecked")
    List<SigningKey> versions() {
        return storage.get(STORAGE_KEY)
                .map(bytes -> ((List<Object>) Json.parseObject(new String(bytes, StandardCharsets.UTF_8)).get("keys"))
                        .stream().map(entry -> SigningKey.fromStored((Map<String, Object>) entry)).toList())
                .orElse(List.of());
    }

    /** The current key, made now (with the configured algorithm) if the mount has none yet. */
    SigningKey current() {
        List<SigningKey> versions = versions();
        if (!versions.isEmpty()) {
            return versions.getLast();
        }
        synchronized (lock) {
            versions = versions();
            if (!versions.isEmpty()) {
                return versions.getLast();
            }
            SigningKey first = SigningKey.generate(Config.load(storage).signingAlgorithm(), clock.instant());
            save(List.of(first));
            return first;
        }
    }

    /**
     * Replaces the current key with a new one (of the algorithm config now names), countersigned
     * by the current key; the current key is retired and keeps verifying for verification_ttl.
     */
    SigningKey rotate() {
        synchronized (lock) {
            SigningKey previous = current();
            Instant now = clock.instant();
            SigningKey next = SigningKey.generate(Config.load(storage).signingAlgorithm(), now)
                    .countersignedBy(previous, now);
            List<SigningKey> versions = new ArrayList<>();
            for (SigningKey key : versions()) {
                // Keys retired beyond verification_ttl no longer verify anything: drop them.
                if (key.retiredAt() == null || key.retiredAt().isAfter(now.minus(Config.load(storage).verificationTtl()))) {
                    versions.add(key.kid().equals(previous.kid()) ? key.retired(now) : key);
                }
            }
            versions.add(next);
            save(versions);
            return next;
        }
    }

    /** The keys that verify now: the current one, and retired ones younger than verification_ttl. */
    List<SigningKey> verifying() {
        current(); // makes the first key if there is none yet
        Instant oldest = clock.instant().minus(Config.load(storage).verificationTtl());
        List<SigningKey> keys = new ArrayList<>();
        for (SigningKey key : versions()) {
            if (key.retiredAt() == null || key.retiredAt().isAfter(oldest)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private void save(List<SigningKey> versions) {
        storage.put(STORAGE_KEY, Json.write(Map.of("keys", versions.stream().map(SigningKey::toStored).toList()))
                .getBytes(StandardCharsets.UTF_8));
    }
}
