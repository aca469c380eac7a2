package dev.herald.client.auth;

import dev.herald.client.HeraldException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a login gives: the {@code auth} block of Vault's answer.
 *
 * @param token the client token ({@code client_token}); never shown by {@link #toString()}
 * @param accessor the token's accessor (empty when the server did not say)
 * @param ttl how long the token lives from the moment it was issued ({@code lease_duration});
 *     {@link Duration#ZERO} for a token that does not expire (a root token)
 * @param renewable whether {@code auth/token/renew-self} can extend it
 * @param policies the token's policies
 */
public record LoginToken(String token, String accessor, Duration ttl, boolean renewable, List<String> policies) {

    /** Checks the parts; a null accessor or policy list becomes empty. */
    public LoginToken {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        accessor = accessor == null ? "" : accessor;
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("the ttl is negative");
        }
        policies = policies == null ? List.of() : List.copyOf(policies);
    }

    /** Whether the token has an end (a ttl above zero). */
    public boolean expires() {
        return !ttl.isZero();
    }

    /**
     * Reads a login's {@code auth} block.
     *
     * @param operation what was asked, for the message (e.g. {@code POST /v1/auth/jwt/login})
     * @throws HeraldException if the block has no {@code client_token}
     */
    static LoginToken fromAuth(Map<String, Object> auth, String operation) {
        if (!(auth.get("client_token") instanceof String token) || token.isBlank()) {
            throw new HeraldException(operation + ": the answer has no auth.client_token");
        }
        return new LoginToken(token, text(auth.get("accessor")), seconds(auth.get("lease_duration")),
                Boolean.TRUE.equals(auth.get("renewable")), strings(auth.get("policies")));
    }

    static String text(Object value) {
        return value instanceof String s ? s : "";
    }

    /** A TTL longer than this (a century) is treated as this, so that adding it to an instant cannot overflow. */
    static final long MAX_SECONDS = 100L * 365 * 24 * 3600;

    /** A count of seconds as Vault writes it; anything else (absent, negative) is zero. */
    static Duration seconds(Object value) {
        if (!(value instanceof Number n)) {
            return Duration.ZERO;
        }
        long seconds = n instanceof BigInteger big ? (big.signum() < 0 ? 0 : MAX_SECONDS) : n.longValue();
        return Duration.ofSeconds(Math.max(0, Math.min(seconds, MAX_SECONDS)));
    }

    static List<String> strings(Object value) {
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    @Override
    public String toString() {
        return "LoginToken[accessor=" + accessor + ", ttl=" + ttl.toSeconds() + "s, renewable=" + renewable
                + ", policies=" + policies + "]";
    }
}
