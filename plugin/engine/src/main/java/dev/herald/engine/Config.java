package dev.herald.engine;

import dev.herald.sdk.Durations;
import dev.herald.sdk.Storage;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

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
        return map;
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
