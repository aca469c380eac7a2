package dev.herald.client.publisher;

import dev.herald.client.HeraldException;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultException;
import dev.herald.client.VaultRequest;
import dev.herald.client.VaultResponse;
import dev.herald.client.VerificationException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Publishes one instance's key (DESIGN §5.3) and looks after its lease: {@link #publish},
 * {@link #renew}, {@link #rotate} with a continuity signature, and {@link #revoke} on shutdown.
 * {@link PublisherLoop} runs these on a schedule. Thread-safe.
 *
 * <p><b>Revocation.</b> The publication lives as long as its lease, and the lease is a child of the
 * token that published. {@link #revoke()} first asks {@code sys/leases/revoke} with that token; Vault's
 * default policy does not grant it (403), so the publisher then revokes its own token with
 * {@code auth/token/revoke-self}, which ends the lease with it. That is right for a workload's login
 * token, which nothing else uses; a caller who publishes with a token it still needs (a person's
 * {@code VAULT_TOKEN}) should grant {@code update} on {@code sys/leases/revoke} or turn the fallback
 * off ({@link Builder#revokeTokenIfLeaseRevokeRefused}). The publication ends either way; the instance
 * keeps its key as a tombstone, so the same key with the same claims revives it later.
 */
public final class Publisher {
    private static final System.Logger LOG = System.getLogger(Publisher.class.getName());
    /** The engine's rule for service, instance and role names; checked here too so that paths stay as meant. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    private final VaultClient vault;
    private final TokenSource tokens;
    private final String mount;
    private final String service;
    private final String instance;
    private final String role;
    private final Claims claims;
    private final String issuer;
    private final Clock clock;
    private final boolean revokeTokenIfLeaseRevokeRefused;

    // guarded by this
    private PublisherKey key;
    private Publication publication;
    /** The rotation the last {@link #rotate} made, as the engine answered it; null before one. */
    private Rotation lastRotation;
    /** The increment a renewal asks for: the lease duration the current generation was published with. */
    private Duration renewalIncrement = Duration.ZERO;
    /** The token that published: the lease's parent, used to revoke it. */
    private String leaseToken;

    private Publisher(Builder builder) {
        this.vault = builder.vault;
        this.tokens = builder.tokens;
        this.mount = builder.mount;
        this.service = builder.service;
        this.instance = builder.instance;
        this.role = builder.role;
        this.claims = builder.claims;
        this.issuer = builder.issuer != null ? builder.issuer : mount + "/";
        this.clock = builder.clock;
        this.revokeTokenIfLeaseRevokeRefused = builder.revokeTokenIfLeaseRevokeRefused;
    }

    /**
     * A publisher of {@code service}/{@code instance} under {@code role}, logging in through {@code tokens}.
     */
    public static Builder builder(VaultClient vault, TokenSource tokens, String service, String instance, String role) {
        return new Builder(vault, tokens, service, instance, role);
    }

    /**
     * Publishes {@code key} with the claims: the first publication, a revival of an ended one (same key
     * and claims), or, if they are already live, an answer with {@code unchanged}.
     *
     * @throws VaultException        if Vault refuses (409: another key is live or kept for the instance)
     * @throws VerificationException if the answer names another key than the one sent
     */
    public synchronized Publication publish(PublisherKey key) {
        return publish(key, null);
    }

    /**
     * Replaces the current key with {@code newKey}: a publication carrying the continuity signature by
     * the current key over (issuer, service, instance, current generation, new key's fingerprint).
     * Once Vault accepts it, {@code newKey} takes the current key's place (its file or token label);
     * if Vault refuses, a token successor is deleted and nothing changes.
     *
     * @throws IllegalStateException if nothing was published yet
     */
    public synchronized Publication rotate(PublisherKey newKey) {
        if (key == null || publication == null) {
            throw new IllegalStateException("nothing published yet: publish a key before rotating it");
        }
        Continuity continuity = new Continuity(issuer, service, instance, publication.generation(), newKey.fingerprint());
        Publication rotated;
        try {
            rotated = publish(newKey, continuity.signedBy(key));
        } catch (RuntimeException e) {
            newKey.discard();
            throw e;
        }
        key = newKey.install();
        return rotated;
    }

    /**
     * The rotation the last {@link #rotate} made, from the engine's answer (DESIGN §5.8): when the
     * new key may be presented and when the old one leaves; empty before a rotation, or from an
     * engine without acknowledged rotation.
     */
    public synchronized Optional<Rotation> lastRotation() {
        return Optional.ofNullable(lastRotation);
    }

    /**
     * Reads how the rotation to the current generation stands ({@code rotation/:service/:instance}).
     * Empty when the engine lists none for it: it awaited nobody, or its old key has left the records.
     *
     * @throws VaultException if Vault refuses (403: the token may not read {@code rotation/}) or fails
     */
    public Optional<Rotation> rotation() {
        long generation;
        synchronized (this) {
            if (publication == null) {
                return Optional.empty();
            }
            generation = publication.generation();
        }
        String path = mount + "/rotation/" + service + "/" + instance;
        try {
            return Rotation.fromRotationAnswer(send(token -> VaultRequest.get(path, token)).response.data(), generation);
        } catch (VaultException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Renews the lease by the duration it was published with ({@code sys/leases/renew}); the engine
     * moves {@code not_after} to the lease's new end.
     *
     * @throws IllegalStateException if the publication has no lease
     * @throws VaultException        if Vault refuses: the lease or the token is gone (4xx) or it cannot answer
     */
    public synchronized Publication renew() {
        if (publication == null || !publication.leased()) {
            throw new IllegalStateException("no lease to renew: " + (publication == null ? "nothing published"
                    : "the publication has no lease (a role without lease_bound, or revoked)"));
        }
        String leaseId = publication.leaseId();
        Map<String, Object> body = Map.of("lease_id", leaseId, "increment", renewalIncrement.toSeconds());
        VaultResponse answer = send(token -> new VaultRequest("PUT", "sys/leases/renew", body, token, Map.of())).response;
        publication = publication.renewed(clock.instant(), Duration.ofSeconds(answer.leaseDuration()));
        return publication;
    }

    /**
     * Ends the publication now (on shutdown): revokes its lease, or the token that holds it (see the
     * class comment). Does nothing if there is no lease.
     */
    public synchronized void revoke() {
        if (publication == null || !publication.leased()) {
            return;
        }
        try {
            vault.send(new VaultRequest("PUT", "sys/leases/revoke", Map.of("lease_id", publication.leaseId()),
                    leaseToken, Map.of()));
            LOG.log(System.Logger.Level.INFO, "revoked the lease of {0}/{1}", service, instance);
        } catch (VaultException e) {
            if (e.status() != 403 || !revokeTokenIfLeaseRevokeRefused) {
                throw e;
            }
            try {
                vault.send(new VaultRequest("POST", "auth/token/revoke-self", null, leaseToken, Map.of()));
                LOG.log(System.Logger.Level.INFO, "revoked the token that holds the lease of {0}/{1}"
                        + " (sys/leases/revoke is not allowed to it)", service, instance);
            } catch (VaultException gone) {
                if (gone.status() != 403) {
                    throw gone;
                }
                // the token is invalid already: its leases ended with it
            }
        }
        publication = publication.withLease("", Duration.ZERO);
    }

    /** The last publication Vault answered with. */
    public synchronized Optional<Publication> publication() {
        return Optional.ofNullable(publication);
    }

    /** The key last published (after a rotation, the new one). */
    public synchronized Optional<PublisherKey> key() {
        return Optional.ofNullable(key);
    }

    /** The service name. */
    public String service() {
        return service;
    }

    /** The instance name. */
    public String instance() {
        return instance;
    }

    /** The claims published with every key. */
    public Claims claims() {
        return claims;
    }

    /** The clock of the publication times this publisher computes (renewed {@code not_after}). */
    public Clock clock() {
        return clock;
    }

    /** What a renewal asks for: the lease duration the current generation was published with. */
    synchronized Duration renewalIncrement() {
        return renewalIncrement;
    }

    private Publication publish(PublisherKey newKey, String continuity) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", role);
        body.put("csr", Csr.pem(newKey, instance + "." + service));
        body.put("endpoints", claims.endpoints());
        body.put("ip_addresses", claims.ipAddresses());
        body.put("dns_names", claims.dnsNames());
        body.put("metadata", claims.metadata());
        claims.ttl().ifPresent(ttl -> body.put("ttl", ttl.toSeconds()));
        if (continuity != null) {
            body.put("continuity", continuity);
        }
        String path = mount + "/publish/" + service + "/" + instance;
        Answer answer = send(token -> VaultRequest.post(path, body, token));
        Publication published = Publication.from(answer.response);
        if (continuity != null) {
            lastRotation = Rotation.fromPublishAnswer(answer.response.data(), published.generation()).orElse(null);
        }
        if (!published.fingerprint().equals(newKey.fingerprint())) {
            throw new VerificationException("Vault answered the publication of " + newKey.fingerprint() + " for "
                    + service + "/" + instance + " with another key, " + published.fingerprint());
        }
        warnings(answer.response);
        boolean known = publication != null && publication.generation() == published.generation()
                && publication.fingerprint().equals(published.fingerprint());
        if (published.unchanged() && known) {
            // the same publication, still live: an unchanged answer carries no lease, ours still holds it
            published = published.withLease(publication.leaseId(), publication.leaseDuration());
        } else if (published.unchanged()) {
            LOG.log(System.Logger.Level.WARNING, "{0}/{1} generation {2} is live since an earlier run, whose lease this"
                    + " process does not hold; it is published again when it ends at {3}", service, instance,
                    published.generation(), published.notAfter());
        } else if (published.leased()) {
            renewalIncrement = published.leaseDuration();
            leaseToken = answer.token;
        }
        key = newKey;
        publication = published;
        LOG.log(System.Logger.Level.INFO, "{0} {1}/{2} generation {3} ({4}) until {5}",
                published.unchanged() ? "still published:" : continuity != null ? "rotated" : "published",
                service, instance, published.generation(), published.fingerprint(), published.notAfter());
        return published;
    }

    private record Answer(VaultResponse response, String token) {
        @Override
        public String toString() {
            return "Answer[" + response + "]"; // never the token
        }
    }

    /**
     * Sends a request with a token from the source; after a 403 (the token may have expired or been
     * revoked) tells the source and tries once more if it gives another token.
     */
    private Answer send(Function<String, VaultRequest> request) {
        String token = tokens.token();
        try {
            return new Answer(vault.send(request.apply(token)), token);
        } catch (VaultException e) {
            if (e.status() != 403) {
                throw e;
            }
            tokens.rejected(token);
            String again = tokens.token();
            if (Objects.equals(again, token)) {
                throw e;
            }
            return new Answer(vault.send(request.apply(again)), again);
        }
    }

    private void warnings(VaultResponse response) {
        if (response.json().get("warnings") instanceof List<?> warnings) {
            for (Object warning : warnings) {
                LOG.log(System.Logger.Level.WARNING, "Vault: {0}", warning);
            }
        }
    }

    @Override
    public String toString() {
        return "Publisher[" + mount + "/publish/" + service + "/" + instance + ", role " + role + "]";
    }

    /** Configures a {@link Publisher}. */
    public static final class Builder {
        private final VaultClient vault;
        private final TokenSource tokens;
        private final String service;
        private final String instance;
        private final String role;
        private String mount = "herald";
        private Claims claims = Claims.NONE;
        private String issuer;
        private Clock clock = Clock.systemUTC();
        private boolean revokeTokenIfLeaseRevokeRefused = true;

        private Builder(VaultClient vault, TokenSource tokens, String service, String instance, String role) {
            this.vault = Objects.requireNonNull(vault, "vault");
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            this.service = name("service", service);
            this.instance = name("instance", instance);
            this.role = name("role", role);
        }

        private static String name(String what, String value) {
            if (value == null || !NAME.matcher(value).matches()) {
                throw new HeraldException("invalid " + what + " name '" + value + "': use 1-128 characters of a-z, 0-9,"
                        + " '.', '_' and '-', starting with a letter or digit");
            }
            return value;
        }

        /** The engine's mount path (default {@code herald}). */
        public Builder mount(String mount) {
            String trimmed = mount.replaceAll("^/+|/+$", "");
            if (trimmed.isEmpty()) {
                throw new HeraldException("the mount path must not be empty");
            }
            this.mount = trimmed;
            return this;
        }

        /** The endpoints, addresses, names, metadata and ttl to publish with every key. */
        public Builder claims(Claims claims) {
            this.claims = Objects.requireNonNull(claims, "claims");
            return this;
        }

        /**
         * The mount's {@code issuer}, which continuity messages name; default: the mount path and a
         * slash ({@code herald/}), the engine's default when its config sets none.
         */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The clock for lease times and the loop's schedule (tests inject one). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Whether {@link #revoke()} may revoke the publishing token when Vault refuses to revoke the
         * lease alone (default true; see the class comment).
         */
        public Builder revokeTokenIfLeaseRevokeRefused(boolean allowed) {
            this.revokeTokenIfLeaseRevokeRefused = allowed;
            return this;
        }

        /** The publisher; nothing is sent before {@link Publisher#publish}. */
        public Publisher build() {
            return new Publisher(this);
        }
    }
}
