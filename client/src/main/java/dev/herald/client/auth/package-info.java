/**
 * Logging in to Vault (or OpenBao) and keeping the token alive.
 *
 * <p>A {@link dev.herald.client.auth.Login} turns a credential into a
 * {@link dev.herald.client.auth.LoginToken}: {@link dev.herald.client.auth.TokenLogin} (a token
 * given by the environment or a file), {@link dev.herald.client.auth.JwtLogin},
 * {@link dev.herald.client.auth.KubernetesLogin}, {@link dev.herald.client.auth.AppRoleLogin} and
 * {@link dev.herald.client.auth.CertLogin} (a TLS client certificate, see
 * {@link dev.herald.client.auth.ClientCertificate}). A {@link dev.herald.client.auth.Session} is the
 * {@link dev.herald.client.TokenSource} the rest of the client uses: it logs in when first asked,
 * renews the token, and logs in again when renewing no longer helps.
 *
 * <p>Credentials (tokens, JWTs, secret ids) are {@link dev.herald.client.auth.Secret}s read from a
 * file or an environment variable when they are used, never taken from command-line arguments, and
 * never shown by {@code toString} or in an exception message.
 */
package dev.herald.client.auth;
