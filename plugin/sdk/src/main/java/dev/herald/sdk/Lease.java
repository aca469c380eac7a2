package dev.herald.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Vault lease on something a handler handed out: the server keeps it, counts its TTL down, and
 * calls the mount back to renew it ({@link Operation#RENEW}) and, when it ends by expiry, by
 * {@code lease revoke}, by its token's revocation or by {@code secrets disable}, to revoke it
 * ({@link Operation#REVOKE}). Those calls reach the renew and revoke handlers registered for the
 * lease's {@code secretType} ({@link Router.Builder#secretType}).
 *
 * <p>A handler issues a lease with {@link Response#withLease}; a renew handler answers with
 * {@link #renewedFor}. {@code internalData} is kept by the server with the lease and comes back
 * with renew and revoke; the caller never sees it.
 *
 * @param secretType   which renew/revoke handlers this lease belongs to
 * @param internalData what the handler needs to renew or revoke (JSON values), never shown to callers
 * @param ttl          how long the lease lives from now; zero means the mount's default
 * @param maxTtl       the longest the lease may live from its issue, renewals included; zero means
 *                     the mount's maximum
 * @param renewable    whether the caller may renew it
 * @param issueTime    when the lease was first issued: null in a new lease (the runtime stamps it),
 *                     the original time in renew and revoke requests and in renewals
 * @param increment    in a renew request, the extension the caller asked for (zero: none given)
 * @param leaseId      in renew and revoke requests, the server's lease id if it sends one, else ""
 */
public record Lease(String secretType, Map<String, Object> internalData, Duration ttl, Duration maxTtl,
                    boolean renewable, Instant issueTime, Duration increment, String leaseId) {

    /** The internal-data key that carries the secret type, as the Go framework names it. */
    public static final String SECRET_TYPE_KEY = "secret_type";

    /** Checks the values and copies the internal data: a lease does not change after it is made. */
    public Lease {
        Objects.requireNonNull(secretType);
        internalData = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(internalData));
        Objects.requireNonNull(ttl);
        Objects.requireNonNull(maxTtl);
        Objects.requireNonNull(increment);
        Objects.requireNonNull(leaseId);
        if (ttl.isNegative() || maxTtl.isNegative()) {
            throw new IllegalArgumentException("lease durations must not be negative");
        }
    }

    /**
     * A new renewable lease.
     *
     * @param secretType   which renew/revoke handlers it belongs to
     * @param ttl          how long it lives from now; zero means the mount's default
     * @param maxTtl       the longest it may live, renewals included; zero means the mount's maximum
     * @param internalData what renewing or revoking it needs (JSON values), never shown to callers
     * @return the lease
     */
    public static Lease renewable(String secretType, Duration ttl, Duration maxTtl, Map<String, ?> internalData) {
        return new Lease(secretType, new LinkedHashMap<>(internalData), ttl, maxTtl, true, null, Duration.ZERO, "");
    }

    /**
     * A new lease the caller cannot renew.
     *
     * @param secretType   which revoke handler it belongs to
     * @param ttl          how long it lives; zero means the mount's default
     * @param internalData what revoking it needs (JSON values), never shown to callers
     * @return the lease
     */
    public static Lease fixed(String secretType, Duration ttl, Map<String, ?> internalData) {
        return new Lease(secretType, new LinkedHashMap<>(internalData), ttl, Duration.ZERO, false, null, Duration.ZERO, "");
    }

    /**
     * This lease (its type, data and issue time) living {@code newTtl} from now: a renew handler's answer.
     *
     * @param newTtl how long it lives from now
     * @return the renewed lease
     */
    public Lease renewedFor(Duration newTtl) {
        return new Lease(secretType, internalData, newTtl, maxTtl, renewable, issueTime, Duration.ZERO, "");
    }

    /**
     * A value of the internal data as a string.
     *
     * @param key the key in the internal data
     * @return the value, or empty if there is none or it is not a string
     */
    public Optional<String> string(String key) {
        return internalData.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    @Override
    public String toString() {
        return "Lease[" + secretType + ", ttl " + Durations.format(ttl) + "]"; // internal data may be private
    }
}
