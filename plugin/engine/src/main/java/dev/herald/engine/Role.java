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
 * Who may publish what (DESIGN §5.2). Immutable. A zero {@code ttl}, {@code maxTtl} or
 * {@code maxOverlap} means "the mount's setting". Made only by a {@link Builder}, which names every field (many share a type, and
 * a positional list would let two of them swap unseen); {@link #toBuilder} starts a changed copy.
 */
record Role(String name, List<String> services, String instance, String boundMountAccessor,
            Map<String, String> boundAliasMetadata, boolean allowUnbound, List<String> keyTypes, long minRsaBits,
            Duration ttl, Duration maxTtl, boolean leaseBound, boolean requireProof, List<String> allowedDnsNames,
            List<String> allowedCidrs, List<String> allowedPorts, boolean allowWildcardClaims, Duration maxOverlap) {

    static final String PREFIX = "roles/";

    Role {
        services = List.copyOf(services);
        boundAliasMetadata = Map.copyOf(boundAliasMetadata);
        keyTypes = List.copyOf(keyTypes);
        allowedDnsNames = List.copyOf(allowedDnsNames);
        allowedCidrs = List.copyOf(allowedCidrs);
        allowedPorts = List.copyOf(allowedPorts);
    }

    static Builder builder() {
        return new Builder();
    }

    /** A builder holding this role's fields, for a copy that changes some of them. */
    Builder toBuilder() {
        return builder()
                .name(name)
                .services(services)
                .instance(instance)
                .boundMountAccessor(boundMountAccessor)
                .boundAliasMetadata(boundAliasMetadata)
                .allowUnbound(allowUnbound)
                .keyTypes(keyTypes)
                .minRsaBits(minRsaBits)
                .ttl(ttl)
                .maxTtl(maxTtl)
                .leaseBound(leaseBound)
                .requireProof(requireProof)
                .allowedDnsNames(allowedDnsNames)
                .allowedCidrs(allowedCidrs)
                .allowedPorts(allowedPorts)
                .allowWildcardClaims(allowWildcardClaims)
                .maxOverlap(maxOverlap);
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
        map.put("max_overlap", duration.apply(maxOverlap));
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Role decode(String name, byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        return builder()
                .name(name)
                .services((List<String>) stored.get("services"))
                .instance((String) stored.get("instance"))
                .boundMountAccessor((String) stored.get("bound_mount_accessor"))
                .boundAliasMetadata((Map<String, String>) (Map<?, ?>) stored.get("bound_alias_metadata"))
                .allowUnbound((Boolean) stored.get("allow_unbound"))
                .keyTypes((List<String>) stored.get("key_types"))
                .minRsaBits(((Number) stored.get("min_rsa_bits")).longValue())
                .ttl(Durations.parse(stored.get("ttl")))
                .maxTtl(Durations.parse(stored.get("max_ttl")))
                .leaseBound((Boolean) stored.get("lease_bound"))
                .requireProof((Boolean) stored.get("require_proof"))
                .allowedDnsNames((List<String>) stored.get("allowed_dns_names"))
                .allowedCidrs((List<String>) stored.get("allowed_cidrs"))
                .allowedPorts((List<String>) stored.get("allowed_ports"))
                // absent from roles stored before the field existed: they never allowed wildcards
                .allowWildcardClaims(Boolean.TRUE.equals(stored.get("allow_wildcard_claims")))
                // absent from roles stored before acknowledged rotation: the mount's max_overlap
                .maxOverlap(stored.get("max_overlap") == null ? Duration.ZERO : Durations.parse(stored.get("max_overlap")))
                .build();
    }

    /** Names every field of a {@link Role}; {@link #build} fails on any left out. */
    static final class Builder {
        private String name;
        private List<String> services;
        private String instance;
        private String boundMountAccessor;
        private Map<String, String> boundAliasMetadata;
        private Boolean allowUnbound;
        private List<String> keyTypes;
        private Long minRsaBits;
        private Duration ttl;
        private Duration maxTtl;
        private Boolean leaseBound;
        private Boolean requireProof;
        private List<String> allowedDnsNames;
        private List<String> allowedCidrs;
        private List<String> allowedPorts;
        private Boolean allowWildcardClaims;
        private Duration maxOverlap;

        private Builder() {
        }

        Builder name(String value) {
            name = value;
            return this;
        }

        Builder services(List<String> value) {
            services = value;
            return this;
        }

        Builder instance(String value) {
            instance = value;
            return this;
        }

        Builder boundMountAccessor(String value) {
            boundMountAccessor = value;
            return this;
        }

        Builder boundAliasMetadata(Map<String, String> value) {
            boundAliasMetadata = value;
            return this;
        }

        Builder allowUnbound(boolean value) {
            allowUnbound = value;
            return this;
        }

        Builder keyTypes(List<String> value) {
            keyTypes = value;
            return this;
        }

        Builder minRsaBits(long value) {
            minRsaBits = value;
            return this;
        }

        Builder ttl(Duration value) {
            ttl = value;
            return this;
        }

        Builder maxTtl(Duration value) {
            maxTtl = value;
            return this;
        }

        Builder leaseBound(boolean value) {
            leaseBound = value;
            return this;
        }

        Builder requireProof(boolean value) {
            requireProof = value;
            return this;
        }

        Builder allowedDnsNames(List<String> value) {
            allowedDnsNames = value;
            return this;
        }

        Builder allowedCidrs(List<String> value) {
            allowedCidrs = value;
            return this;
        }

        Builder allowedPorts(List<String> value) {
            allowedPorts = value;
            return this;
        }

        Builder allowWildcardClaims(boolean value) {
            allowWildcardClaims = value;
            return this;
        }

        Builder maxOverlap(Duration value) {
            maxOverlap = value;
            return this;
        }

        /** @throws IllegalStateException naming the first field left out */
        Role build() {
            return new Role(
                    Required.field(name, "Role", "name"),
                    Required.field(services, "Role", "services"),
                    Required.field(instance, "Role", "instance"),
                    Required.field(boundMountAccessor, "Role", "boundMountAccessor"),
                    Required.field(boundAliasMetadata, "Role", "boundAliasMetadata"),
                    Required.field(allowUnbound, "Role", "allowUnbound"),
                    Required.field(keyTypes, "Role", "keyTypes"),
                    Required.field(minRsaBits, "Role", "minRsaBits"),
                    Required.field(ttl, "Role", "ttl"),
                    Required.field(maxTtl, "Role", "maxTtl"),
                    Required.field(leaseBound, "Role", "leaseBound"),
                    Required.field(requireProof, "Role", "requireProof"),
                    Required.field(allowedDnsNames, "Role", "allowedDnsNames"),
                    Required.field(allowedCidrs, "Role", "allowedCidrs"),
                    Required.field(allowedPorts, "Role", "allowedPorts"),
                    Required.field(allowWildcardClaims, "Role", "allowWildcardClaims"),
                    Required.field(maxOverlap, "Role", "maxOverlap"));
        }
    }
}
