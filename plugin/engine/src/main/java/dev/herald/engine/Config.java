package dev.herald.engine;

import dev.herald.sdk.Durations;
import dev.herald.sdk.Storage;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The mount-wide settings (DESIGN §5.1). Immutable; {@code with...} methods make changed copies.
 *
 * @param issuer the {@code iss} of every record; empty means "the mount path"
 */
record Config(Duration defaultTtl, Duration maxTtl, double rotationWindow, Duration minOverlap, Duration recordTtl,
              Duration verificationTtl, String signingAlgorithm, String issuer, boolean requireWrapping,
              Duration wrapTtl, long maxMetadataBytes) {

    static final String STORAGE_KEY = "config";

    static final Config DEFAULTS = new Config(Duration.ofHours(24), Duration.ofHours(72), 0.5, Duration.ofHours(1),
            Duration.ofMinutes(5), Duration.ofHours(24), "EdDSA", "", false, Duration.ofSeconds(60), 4096);

    /** The stored settings, or the defaults if none were ever written. */
    static Config load(Storage storage) {
        return storage.get(STORAGE_KEY).map(Config::decode).orElse(DEFAULTS);
    }

    void save(Storage storage) {
        storage.put(STORAGE_KEY, encode().getBytes(StandardCharsets.UTF_8));
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
        return this;
    }

    Map<String, Object> toResponseData(String mountPath) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("default_ttl", Durations.toSeconds(defaultTtl));
        data.put("max_ttl", Durations.toSeconds(maxTtl));
        data.put("rotation_window", rotationWindow);
        data.put("min_overlap", Durations.toSeconds(minOverlap));
        data.put("record_ttl", Durations.toSeconds(recordTtl));
        data.put("verification_ttl", Durations.toSeconds(verificationTtl));
        data.put("signing_algorithm", signingAlgorithm);
        data.put("issuer", effectiveIssuer(mountPath));
        data.put("require_wrapping", requireWrapping);
        data.put("wrap_ttl", Durations.toSeconds(wrapTtl));
        data.put("max_metadata_bytes", maxMetadataBytes);
        return data;
    }

    // Stored as JSON with durations in Go notation, which keeps sub-second precision and reads well.
    private String encode() {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("default_ttl", Durations.format(defaultTtl));
        stored.put("max_ttl", Durations.format(maxTtl));
        stored.put("rotation_window", rotationWindow);
        stored.put("min_overlap", Durations.format(minOverlap));
        stored.put("record_ttl", Durations.format(recordTtl));
        stored.put("verification_ttl", Durations.format(verificationTtl));
        stored.put("signing_algorithm", signingAlgorithm);
        stored.put("issuer", issuer);
        stored.put("require_wrapping", requireWrapping);
        stored.put("wrap_ttl", Durations.format(wrapTtl));
        stored.put("max_metadata_bytes", maxMetadataBytes);
        return Json.write(stored);
    }

    private static Config decode(byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        Config d = DEFAULTS;
        return new Config(
                duration(stored, "default_ttl", d.defaultTtl),
                duration(stored, "max_ttl", d.maxTtl),
                stored.get("rotation_window") instanceof Number n ? n.doubleValue() : d.rotationWindow,
                duration(stored, "min_overlap", d.minOverlap),
                duration(stored, "record_ttl", d.recordTtl),
                duration(stored, "verification_ttl", d.verificationTtl),
                stored.get("signing_algorithm") instanceof String s ? s : d.signingAlgorithm,
                stored.get("issuer") instanceof String s ? s : d.issuer,
                stored.get("require_wrapping") instanceof Boolean b ? b : d.requireWrapping,
                duration(stored, "wrap_ttl", d.wrapTtl),
                stored.get("max_metadata_bytes") instanceof Number n ? n.longValue() : d.maxMetadataBytes);
    }

    private static Duration duration(Map<String, Object> stored, String key, Duration fallback) {
        Object value = stored.get(key);
        return value == null ? fallback : Durations.parse(value);
    }
}
