package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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

    /** How long a rotation waits for its leaf to be in a stored checkpoint, as a service's change does. */
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);

    private final Storage storage;
    private final Settings settings;
    private final Clock clock;
    /** Where rotations are logged: a signer rotation is a leaf of the mount's log, with the new public key. */
    private final MountLog log;
    /** Serialises the first-use generation: two concurrent first reads must not make two keys. */
    private final Object lock = new Object();
    /** The stored versions as last read or written here; empty until read or after an invalidation. */
    /** One entry, kept by the stamp rule of {@link CacheTable}: a slow first read never puts an older value back. */
    private final CacheTable<List<SigningKey>> cached = new CacheTable<>(1, 1, value -> 1);

    Signer(Storage storage, Settings settings, Clock clock, MountLog log) {
        this.storage = storage;
        this.settings = settings;
        this.clock = clock;
        this.log = log;
    }

    /** Every key version, oldest first; empty before first use. */
    @SuppressWarnings("unchecked")
    List<SigningKey> versions() {
        List<SigningKey> versions = cached.get(STORAGE_KEY);
        if (versions != null) {
            return versions;
        }
        long stamp = cached.stamp(STORAGE_KEY);
        versions = storage.get(STORAGE_KEY)
                .map(bytes -> ((List<Object>) Json.parseObject(new String(bytes, StandardCharsets.UTF_8)).get("keys"))
                        .stream().map(entry -> SigningKey.fromStored((Map<String, Object>) entry)).toList())
                .orElse(List.of());
        return versions.isEmpty() ? versions : cached.offer(STORAGE_KEY, versions, stamp);
    }

    /** The stored keys changed elsewhere (another node): read them again. */
    boolean invalidate(String key) {
        if (!key.equals(STORAGE_KEY)) {
            return false;
        }
        cached.remove(STORAGE_KEY);
        return true;
    }

    /** The current key, made now (with the configured algorithm) if the mount has none yet. */
    SigningKey current() {
        return versionsOrFirst().getLast();
    }

    /**
     * Replaces the current key with a new one (of the algorithm config now names), countersigned
     * by the current key; the current key is retired and keeps verifying for verification_ttl.
     */
    SigningKey rotate(PublisherIdentity operator) {
        synchronized (lock) {
            List<SigningKey> versions = versionsOrFirst();
            Config config = settings.get();
            Instant now = clock.instant();
            SigningKey previous = versions.getLast();
            SigningKey next = SigningKey.generate(config.signingAlgorithm(), now).countersignedBy(previous, now);
            List<SigningKey> kept = new ArrayList<>();
            // Keys retired beyond verification_ttl no longer verify anything: they are dropped.
            for (SigningKey key : stillVerifying(versions, now, config.verificationTtl())) {
                kept.add(key == previous ? key.retired(now) : key);
            }
            kept.add(next);
            // Logged first, with its history entry, and acknowledged by a checkpoint: a crash before
            // the keys are saved leaves a logged event for a rotation that did not happen (and the
            // retry logs its own), never a rotation that is not in the log. The keys themselves never
            // pass through the writer: its batch records are not seal-wrapped as signer/ is.
            History.Event event = History.Event.builder()
                    .type("signer_rotate")
                    .time(next.createdAt())
                    .fingerprint(next.kid())
                    .actor(operator)
                    .detail("signing key " + previous.kid() + " replaced by " + next.kid())
                    .build();
            Map<String, Object> jwk = next.jwk();
            log.writer().submit(1, index -> {
                History.Event logged = event.logged(index);
                return new LogWriter.Encoded(List.of(LogLeaf.ofSignerRotation(logged, jwk)), History.signerRotationEntry(logged));
            }, LogWriter.Outcome.NONE).await(COMMIT_WAIT);
            save(kept);
            return next;
        }
    }

    /**
     * The keys that verify now, oldest first: retired ones younger than verification_ttl, and
     * last the current one (made now if the mount has none yet).
     */
    List<SigningKey> verifying() {
        return stillVerifying(versionsOrFirst(), clock.instant(), settings.get().verificationTtl());
    }

    private static List<SigningKey> stillVerifying(List<SigningKey> versions, Instant now, Duration ttl) {
        Instant oldest = now.minus(ttl);
        return versions.stream().filter(key -> key.retiredAt() == null || key.retiredAt().isAfter(oldest)).toList();
    }

    /** Every key version, oldest first; the first key is made now if there is none. */
    private List<SigningKey> versionsOrFirst() {
        List<SigningKey> versions = versions();
        if (!versions.isEmpty()) {
            return versions;
        }
        synchronized (lock) {
            versions = versions();
            if (!versions.isEmpty()) {
                return versions;
            }
            SigningKey first = SigningKey.generate(settings.get().signingAlgorithm(), clock.instant());
            save(List.of(first));
            return List.of(first);
        }
    }

    private void save(List<SigningKey> versions) {
        storage.put(STORAGE_KEY, Json.write(Map.of("keys", versions.stream().map(SigningKey::toStored).toList()))
                .getBytes(StandardCharsets.UTF_8));
        cached.put(STORAGE_KEY, List.copyOf(versions));
    }
}
