package dev.herald.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Values for unit tests that need a role or a publication without a mount. */
final class TestValues {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final PublisherIdentity PUBLISHER = PublisherIdentity.builder()
            .entityId("e1")
            .mountAccessor("acc")
            .aliasName("pod")
            .aliasMetadata(Map.of())
            .tokenAccessor("tok")
            .build();

    private TestValues() {
    }

    /**
     * Role {@code r} for service {@code web}, any instance, without an identity binding (unbound
     * callers allowed), ed25519 keys, the mount's lifetimes, and no endpoint claims allowed: each
     * test sets what it checks.
     */
    static Role.Builder open() {
        return Role.builder()
                .name("r")
                .services(List.of("web"))
                .instance("*")
                .boundMountAccessor("")
                .boundAliasMetadata(Map.of())
                .allowUnbound(true)
                .keyTypes(List.of("ed25519"))
                .minRsaBits(2048)
                .ttl(Duration.ZERO)
                .maxTtl(Duration.ZERO)
                .leaseBound(true)
                .requireProof(true)
                .allowedDnsNames(List.of())
                .allowedCidrs(List.of())
                .allowedPorts(List.of())
                .allowWildcardClaims(false)
                .maxOverlap(Duration.ZERO);
    }

    /** The endpoint limits of the endpoint-claim tests: two DNS globs, two networks, a port and a range. */
    static Role endpointLimits(boolean allowWildcardClaims) {
        return open()
                .allowedDnsNames(List.of("*.web.internal", "web.example.com"))
                .allowedCidrs(List.of("10.0.0.0/8", "fd00::/8"))
                .allowedPorts(List.of("443", "8000-8100"))
                .allowWildcardClaims(allowWildcardClaims)
                .build();
    }

    /** Claims of nothing, as a builder: each test sets what it claims. */
    static EndpointClaims.Builder noClaims() {
        return EndpointClaims.builder().endpoints(List.of()).ipAddresses(List.of()).dnsNames(List.of());
    }

    /** A publication of {@code key} for an hour from {@link #NOW} (renewable for two), with no claims, no lease. */
    static Publication publication(String instance, long generation, PublisherKey key) {
        return Publication.builder()
                .instance(instance)
                .generation(generation)
                .key(key)
                .claims(noClaims().build())
                .metadata(Map.of())
                .notBefore(NOW)
                .notAfter(NOW.plus(Duration.ofHours(1)))
                .maxNotAfter(NOW.plus(Duration.ofHours(2)))
                .ttl(Duration.ofHours(1))
                .role("web")
                .publisher(PUBLISHER)
                .leaseBound(false)
                .superseded(false)
                .build();
    }
}
