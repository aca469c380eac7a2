package dev.herald.engine;

import dev.herald.sdk.Durations;
import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may publish what (DESIGN §5.2). Immutable. A zero {@code ttl} or {@code maxTtl} means "the
 * mount's setting".
 */
record Role(String name, List<String> services, String instance, String boundMountAccessor,
            Map<String, String> boundAliasMetadata, boolean allowUnbound, List<String> keyTypes, long minRsaBits,
            Duration ttl, Duration maxTtl, boolean leaseBound, boolean requireProof, List<String> allowedDnsNames,
            List<String> allowedCidrs, List<String> allowedPorts, boolean allowWildcardClaims) {

    static final String PREFIX = "roles/";

    Role {
        services = List.copyOf(services);
        boundAliasMetadata = Map.copyOf(boundAliasMetadata);
        keyTypes = List.copyOf(keyTypes);
        allowedDnsNames = List.copyOf(allowedDnsNames);
        allowedCidrs = List.copyOf(allowedCidrs);
        allowedPorts = List.copyOf(allowedPorts);
    }

    static String storageKey(String name) {
        return PREFIX + name;
    }

    static Optional<Role> load(Storage storage, String name) {
        return storage.get(storageKey(name)).map(bytes -> decode(name, bytes));
    }

    static List<String> names(Storage storage) {
        return storage.list(PREFIX).stream().filter(key -> !key.endsWith("/")).sorted().toList();
    }

    void save(Storage storage) {
        storage.put(storageKey(name), Json.write(toMap(Durations::format)).getBytes(StandardCharsets.UTF_8));
    }

    static void delete(Storage storage, String name) {
        storage.delete(storageKey(name));
    }

    /** The role as callers read it back: the fields it was written with, durations in seconds. */
    Map<String, Object> toResponseData() {
        return toMap(Durations::toSeconds);
    }

    private Map<String, Object> toMap(java.util.function.Function<Duration, Object> duration) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("services", services);
        map.put("instance", instance);
        map.put("bound_mount_accessor", boundMountAccessor);
        map.put("bound_alias_metadata", boundAliasMetadata);
        map.put("allow_unbound", allowUnbound);
        map.put("key_types", keyTypes);
        map.put("min_rsa_bits", minRsaBits);
        map.put("ttl", duration.apply(ttl));
        map.put("max_ttl", duration.apply(maxTtl));
        map.put("lease_bound", leaseBound);
        map.put("require_proof", requireProof);
        map.put("allowed_dns_names", allowedDnsNames);
        map.put("allowed_cidrs", allowedCidrs);
        map.put("allowed_ports", allowedPorts);
        map.put("allow_wildcard_claims", allowWildcardClaims);
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Role decode(String name, byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        return new Role(name,
                (List<String>) stored.get("services"),
                (String) stored.get("instance"),
                (String) stored.get("bound_mount_accessor"),
                (Map<String, String>) (Map<?, ?>) stored.get("bound_alias_metadata"),
                (Boolean) stored.get("allow_unbound"),
                (List<String>) stored.get("key_types"),
                ((Number) stored.get("min_rsa_bits")).longValue(),
                Durations.parse(stored.get("ttl")),
                Durations.parse(stored.get("max_ttl")),
                (Boolean) stored.get("lease_bound"),
                (Boolean) stored.get("require_proof"),
                (List<String>) stored.get("allowed_dns_names"),
                (List<String>) stored.get("allowed_cidrs"),
                (List<String>) stored.get("allowed_ports"),
                // absent from roles stored before the field existed: they never allowed wildcards
                Boolean.TRUE.equals(stored.get("allow_wildcard_claims")));
    }
}
