package dev.herald.client.auth;

import dev.herald.client.VaultClient;

/**
 * One way to get a Vault token: a credential and the auth method that accepts it. Implementations
 * are immutable and thread-safe; they read their credential (a file, a variable) at each
 * {@link #login}, so that a rotated credential is picked up. Their {@code toString} names the method,
 * mount and credential source, never the credential.
 *
 * <p>A {@link Session} calls {@code login} when it needs a token; most callers use a session rather
 * than a {@code Login} directly.
 */
public interface Login {

    /**
     * Logs in over {@code vault}.
     *
     * @throws dev.herald.client.VaultException if the server refuses or cannot be reached (its
     *     messages passed through)
     * @throws dev.herald.client.HeraldException if the credential cannot be read or the answer holds no token
     */
    LoginToken login(VaultClient vault);
}
