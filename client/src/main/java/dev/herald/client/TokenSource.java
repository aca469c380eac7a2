package dev.herald.client;

import java.util.Objects;

/**
 * Where a caller gets a Vault token valid now: a fixed token, or a login that renews itself and
 * logs in again before the token expires (see {@code dev.herald.client.auth.Session}).
 */
public interface TokenSource {

    /** A token to send now; may log in or renew first. */
    String token();

    /**
     * Tells the source that the server refused {@code token} as invalid (403 "permission denied"
     * on a request that had worked, or "invalid token"): the next {@link #token()} logs in again
     * where it can. A fixed token can do nothing about it.
     */
    default void rejected(String token) {
    }

    /** A fixed token (token auth). */
    static TokenSource of(String token) {
        Objects.requireNonNull(token, "token");
        return () -> token;
    }
}
