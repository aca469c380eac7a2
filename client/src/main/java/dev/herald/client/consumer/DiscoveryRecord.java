package dev.herald.client.consumer;

import java.security.PublicKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A discovery record that passed {@link RecordVerifier}: the engine's signed statement of which
 * instances of a service are live, with their keys, as of {@link #issuedAt} and until
 * {@link #expiresAt}. Immutable; made only by {@link RecordVerifier}.
 */
public final class DiscoveryRecord {
    /** The header {@code typ} of a record. */
    public static final String TYPE = "herald-record+jwt";

    /** What a record covers: every live instance of the service, or one instance. */
    public enum Scope {
        /** {@code discover/:service}. */
        SERVICE("service"),
        /** {@code discover/:service/:instance}. */
        INSTANCE("instance");

        private final String claim;

        Scope(String claim) {
            this.claim = claim;
        }

        /** The {@code scope} claim's value. */
        public String claim() {
            return claim;
        }
    }

    private final String compact;
    private final String kid;
    private final String issuer;
    private final String service;
    private final Scope scope;
    private final long seq;
    private final String id;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final List<Instance> instances;

    DiscoveryRecord(String compact, String kid, Claims claims, Scope scope, List<Instance> instances) {
        this.compact = compact;
        this.kid = kid;
        this.issuer = claims.string("iss");
        this.service = claims.string("sub");
        this.scope = scope;
        this.seq = claims.integer("seq");
        this.id = claims.optionalString("jti");
        this.issuedAt = claims.time("iat");
        this.expiresAt = claims.time("exp");
        this.instances = List.copyOf(instances);
    }

    /** The signed JWT itself, to save or hand on (any JOSE library verifies it with the {@code jwks}). */
    public String compact() {
        return compact;
    }

    /** The kid of the signer key that signed it. */
    public String kid() {
        return kid;
    }

    /** {@code iss}: the mount's issuer. */
    public String issuer() {
        return issuer;
    }

    /** {@code sub}: the service. */
    public String service() {
        return service;
    }

    public Scope scope() {
        return scope;
    }

    /** {@code seq}: the service's sequence, which rises with every change of its live set. */
    public long seq() {
        return seq;
    }

    /** {@code jti}, or null if the record has none. */
    public String id() {
        return id;
    }

    public Instant issuedAt() {
        return issuedAt;
    }

    /** {@code exp}: after this the record must not be used (a frozen record is a stale one). */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether the record may still be used at {@code now}. */
    public boolean validAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    public List<Instance> instances() {
        return instances;
    }

    /** The live instances' public keys, in record order (an instance in rotation gives two). */
    public List<PublicKey> publicKeys() {
        return instances.stream().map(Instance::publicKey).toList();
    }

    /**
     * The signed claims, decoded (a fresh copy), with the JWT under {@code record}: what
     * {@code herald discover} prints.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("record", compact);
        json.putAll(CompactJws.parse(compact).claims());
        return json;
    }

    @Override
    public String toString() {
        // never the JWT itself
        return "DiscoveryRecord[" + issuer + " " + service + " " + scope.claim() + ", seq " + seq + ", " + instances.size()
                + " instances, until " + expiresAt + "]";
    }
}
