package dev.herald.engine;

import dev.herald.sdk.Durations;
import dev.herald.sdk.Storage;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;

import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The mount-wide settings (DESIGN §5.1). Immutable. Made only by a {@link Builder}, which names
 * every field (many share a type, and a positional list would let two of them swap unseen);
 * {@link #toBuilder} starts a changed copy.
 *
 * @param issuer the {@code iss} of every record; empty means "the mount path"
 * @param logWitnesses the vkeys (type 0x04) of the witnesses whose cosignatures {@code log/cosign}
 *     accepts, as validated by {@link #witnessKeys} (docs/design-log.md §8)
 * @param maxOverlap the longest a rotated-out key stays listed while counted consumers have not
 *     acknowledged its successor (docs/design-ack.md §1.4); at least minOverlap
 * @param consumerTtl how long a consumer counts after its last acknowledgement or heartbeat; at
 *     least recordTtl
 * @param maxConsumers consumer sessions kept per service
 * @param maxConsumerSessions consumer sessions kept per entity per service
 */
record Config(Duration defaultTtl, Duration maxTtl, double rotationWindow, Duration minOverlap, Duration recordTtl,
              Duration verificationTtl, String signingAlgorithm, String issuer, boolean requireWrapping,
              Duration wrapTtl, long maxMetadataBytes, long maxRecordInstances, List<String> logWitnesses,
              Duration maxOverlap, Duration consumerTtl, long maxConsumers, long maxConsumerSessions) {

    static final String STORAGE_KEY = "config";

    static final Config DEFAULTS = builder()
            .defaultTtl(Duration.ofHours(24))
            .maxTtl(Duration.ofHours(72))
            .rotationWindow(0.5)
            .minOverlap(Duration.ofHours(1))
            .recordTtl(Duration.ofMinutes(5))
            .verificationTtl(Duration.ofHours(24))
            .signingAlgorithm("EdDSA")
            .issuer("")
            .requireWrapping(false)
            .wrapTtl(Duration.ofSeconds(60))
            .maxMetadataBytes(4096)
            .maxRecordInstances(1000)
            .logWitnesses(List.of())
            .maxOverlap(Duration.ofHours(6))
            .consumerTtl(Duration.ofHours(2))
            .maxConsumers(20_000)
            .maxConsumerSessions(256)
            .build();

    /** Copies the list. */
    Config {
        logWitnesses = List.copyOf(logWitnesses);
    }

    static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's fields, for a copy that changes some of them. */
    Builder toBuilder() {
        return builder()
                .defaultTtl(defaultTtl)
                .maxTtl(maxTtl)
                .rotationWindow(rotationWindow)
                .minOverlap(minOverlap)
                .recordTtl(recordTtl)
                .verificationTtl(verificationTtl)
                .signingAlgorithm(signingAlgorithm)
                .issuer(issuer)
                .requireWrapping(requireWrapping)
                .wrapTtl(wrapTtl)
                .maxMetadataBytes(maxMetadataBytes)
                .maxRecordInstances(maxRecordInstances)
                .logWitnesses(logWitnesses)
                .maxOverlap(maxOverlap)
                .consumerTtl(consumerTtl)
                .maxConsumers(maxConsumers)
                .maxConsumerSessions(maxConsumerSessions);
    }

    /** The stored settings, or the defaults if none were ever written. */
    static Config load(Storage storage) {
        return storage.get(STORAGE_KEY).map(Config::decode).orElse(DEFAULTS);
    }

    void save(Storage storage) {
        storage.put(STORAGE_KEY, encode().getBytes(StandardCharsets.UTF_8));
    }

    /** The configured witnesses' keys (stored only once {@link #witnessKeys} accepted them). */
    List<NoteVerifier> witnesses() {
        return witnessKeys(logWitnesses);
    }

    /**
     * The witness keys of {@code log_witnesses}: each a signed-note vkey of a cosignature key (type
     * 0x04), each name once (a witness is known by its name in the note's signature lines).
     *
     * @throws VaultException 400 naming the entry and what is wrong with it
     */
    static List<NoteVerifier> witnessKeys(List<String> vkeys) {
        List<NoteVerifier> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < vkeys.size(); i++) {
            String where = "invalid log_witnesses: entry " + (i + 1) + ": ";
            NoteVerifier key;
            try {
                key = NoteVerifier.parse(vkeys.get(i).strip());
            } catch (MalformedException e) {
                throw VaultException.badRequest(where + e.getMessage());
            }
            if (key.type() != NoteVerifier.COSIGNATURE_V1) {
                throw VaultException.badRequest(where + "the key of " + key.name() + " is of type 0x0" + key.type()
                        + " (a log's signing key); a witness key is a cosignature key of type 0x04");
            }
            if (!names.add(key.name())) {
                throw VaultException.badRequest(where + "a second key named " + key.name()
                        + "; each witness is listed once");
            }
            keys.add(key);
        }
        return List.copyOf(keys);
    }

    /** The issuer written into records: the configured one, else the mount path. */
    String effectiveIssuer(String mountPath) {
        return issuer.isEmpty() ? mountPath : issuer;
    }

    /**
     * Checks the rules that tie fields together (each field's own rules are checked when it is read).
     *
     * @throws VaultException 400 naming the fields
     */
    Config validated() {
        if (defaultTtl.compareTo(maxTtl) > 0) {
            throw VaultException.badRequest("invalid default_ttl: " + Durations.format(defaultTtl)
                    + " is longer than max_ttl (" + Durations.format(maxTtl) + ")");
        }
        if (maxOverlap.compareTo(minOverlap) < 0) {
            throw VaultException.badRequest("invalid max_overlap: " + Durations.format(maxOverlap)
                    + " is shorter than min_overlap (" + Durations.format(minOverlap) + ")");
        }
        if (consumerTtl.compareTo(recordTtl) < 0) {
            throw VaultException.badRequest("invalid consumer_ttl: " + Durations.format(consumerTtl)
                    + " is shorter than record_ttl (" + Durations.format(recordTtl) + "): a consumer refreshing"
                    + " its record would stop counting between two refreshes");
        }
        return this;
    }

    /** The settings as callers see them: durations in whole seconds, as Vault's own engines show them. */
    Map<String, Object> toResponseData(String mountPath) {
        return toMap(Durations::toSeconds, effectiveIssuer(mountPath));
    }

    // Stored as JSON with durations in Go notation, which keeps sub-second precision and reads well.
    private String encode() {
        return Json.write(toMap(Durations::format, issuer));
    }

    private Map<String, Object> toMap(Function<Duration, Object> duration, String issuerValue) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("default_ttl", duration.apply(defaultTtl));
        map.put("max_ttl", duration.apply(maxTtl));
        map.put("rotation_window", rotationWindow);
        map.put("min_overlap", duration.apply(minOverlap));
        map.put("record_ttl", duration.apply(recordTtl));
        map.put("verification_ttl", duration.apply(verificationTtl));
        map.put("signing_algorithm", signingAlgorithm);
        map.put("issuer", issuerValue);
        map.put("require_wrapping", requireWrapping);
        map.put("wrap_ttl", duration.apply(wrapTtl));
        map.put("max_metadata_bytes", maxMetadataBytes);
        map.put("max_record_instances", maxRecordInstances);
        map.put("log_witnesses", logWitnesses);
        map.put("max_overlap", duration.apply(maxOverlap));
        map.put("consumer_ttl", duration.apply(consumerTtl));
        map.put("max_consumers", maxConsumers);
        map.put("max_consumer_sessions", maxConsumerSessions);
        return map;
    }

    private static Config decode(byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        Config d = DEFAULTS;
        return builder()
                .defaultTtl(duration(stored, "default_ttl", d.defaultTtl))
                .maxTtl(duration(stored, "max_ttl", d.maxTtl))
                .rotationWindow(stored.get("rotation_window") instanceof Number n ? n.doubleValue() : d.rotationWindow)
                .minOverlap(duration(stored, "min_overlap", d.minOverlap))
                .recordTtl(duration(stored, "record_ttl", d.recordTtl))
                .verificationTtl(duration(stored, "verification_ttl", d.verificationTtl))
                .signingAlgorithm(stored.get("signing_algorithm") instanceof String s ? s : d.signingAlgorithm)
                .issuer(stored.get("issuer") instanceof String s ? s : d.issuer)
                .requireWrapping(stored.get("require_wrapping") instanceof Boolean b ? b : d.requireWrapping)
                .wrapTtl(duration(stored, "wrap_ttl", d.wrapTtl))
                .maxMetadataBytes(stored.get("max_metadata_bytes") instanceof Number n ? n.longValue() : d.maxMetadataBytes)
                .maxRecordInstances(stored.get("max_record_instances") instanceof Number n ? n.longValue() : d.maxRecordInstances)
                .logWitnesses(stored.get("log_witnesses") instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList() : d.logWitnesses)
                .maxOverlap(duration(stored, "max_overlap", d.maxOverlap))
                .consumerTtl(duration(stored, "consumer_ttl", d.consumerTtl))
                .maxConsumers(stored.get("max_consumers") instanceof Number n ? n.longValue() : d.maxConsumers)
                .maxConsumerSessions(stored.get("max_consumer_sessions") instanceof Number n ? n.longValue() : d.maxConsumerSessions)
                .build();
    }

    private static Duration duration(Map<String, Object> stored, String key, Duration fallback) {
        Object value = stored.get(key);
        return value == null ? fallback : Durations.parse(value);
    }

    /** Names every field of a {@link Config}; {@link #build} fails on any left out. */
    static final class Builder {
        private Duration defaultTtl;
        private Duration maxTtl;
        private Double rotationWindow;
        private Duration minOverlap;
        private Duration recordTtl;
        private Duration verificationTtl;
        private String signingAlgorithm;
        private String issuer;
        private Boolean requireWrapping;
        private Duration wrapTtl;
        private Long maxMetadataBytes;
        private Long maxRecordInstances;
        private List<String> logWitnesses;
        private Duration maxOverlap;
        private Duration consumerTtl;
        private Long maxConsumers;
        private Long maxConsumerSessions;

        private Builder() {
        }

        Builder defaultTtl(Duration value) {
            defaultTtl = value;
            return this;
        }

        Builder maxTtl(Duration value) {
            maxTtl = value;
            return this;
        }

        Builder rotationWindow(double value) {
            rotationWindow = value;
            return this;
        }

        Builder minOverlap(Duration value) {
            minOverlap = value;
            return this;
        }

        Builder recordTtl(Duration value) {
            recordTtl = value;
            return this;
        }

        Builder verificationTtl(Duration value) {
            verificationTtl = value;
            return this;
        }

        Builder signingAlgorithm(String value) {
            signingAlgorithm = value;
            return this;
        }

        Builder issuer(String value) {
            issuer = value;
            return this;
        }

        Builder requireWrapping(boolean value) {
            requireWrapping = value;
            return this;
        }

        Builder wrapTtl(Duration value) {
            wrapTtl = value;
            return this;
        }

        Builder maxMetadataBytes(long value) {
            maxMetadataBytes = value;
            return this;
        }

        Builder maxRecordInstances(long value) {
            maxRecordInstances = value;
            return this;
        }

        Builder logWitnesses(List<String> value) {
            logWitnesses = value;
            return this;
        }

        Builder maxOverlap(Duration value) {
            maxOverlap = value;
            return this;
        }

        Builder consumerTtl(Duration value) {
            consumerTtl = value;
            return this;
        }

        Builder maxConsumers(long value) {
            maxConsumers = value;
            return this;
        }

        Builder maxConsumerSessions(long value) {
            maxConsumerSessions = value;
            return this;
        }

        /** @throws IllegalStateException naming the first field left out */
        Config build() {
            return new Config(
                    Required.field(defaultTtl, "Config", "defaultTtl"),
                    Required.field(maxTtl, "Config", "maxTtl"),
                    Required.field(rotationWindow, "Config", "rotationWindow"),
                    Required.field(minOverlap, "Config", "minOverlap"),
                    Required.field(recordTtl, "Config", "recordTtl"),
                    Required.field(verificationTtl, "Config", "verificationTtl"),
                    Required.field(signingAlgorithm, "Config", "signingAlgorithm"),
                    Required.field(issuer, "Config", "issuer"),
                    Required.field(requireWrapping, "Config", "requireWrapping"),
                    Required.field(wrapTtl, "Config", "wrapTtl"),
                    Required.field(maxMetadataBytes, "Config", "maxMetadataBytes"),
                    Required.field(maxRecordInstances, "Config", "maxRecordInstances"),
                    Required.field(logWitnesses, "Config", "logWitnesses"),
                    Required.field(maxOverlap, "Config", "maxOverlap"),
                    Required.field(consumerTtl, "Config", "consumerTtl"),
                    Required.field(maxConsumers, "Config", "maxConsumers"),
                    Required.field(maxConsumerSessions, "Config", "maxConsumerSessions"));
        }
    }
}
