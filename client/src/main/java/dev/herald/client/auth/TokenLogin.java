package dev.herald.client.auth;

import dev.herald.client.HeraldException;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Token auth: a token the caller already has ({@code VAULT_TOKEN}, a file written by a Vault agent
 * sink). "Logging in" reads the token (a file afresh each time) and looks it up
 * ({@code auth/token/lookup-self}, granted by Vault's default policy) to learn its remaining TTL,
 * whether it is renewable, its accessor and its policies. A token that lookup refuses is refused
 * here, with the server's message.
 */
public final class TokenLogin implements Login {
    private final Secret token;

    private TokenLogin(Secret token) {
        this.token = Objects.requireNonNull(token, "token");
    }

    /**
     * The token of {@code config} ({@code VAULT_TOKEN} or {@code BAO_TOKEN}, or the builder's).
     *
     * @throws HeraldException if the configuration has no token
     */
    public static TokenLogin of(VaultConfig config) {
        String token = config.token().orElseThrow(() -> new HeraldException(
                "token auth needs a token: set VAULT_TOKEN (or BAO_TOKEN), or give a token file"));
        return new TokenLogin(Secret.fixed("configured token", token));
    }

    /** The token in {@code file}, read at each login (a Vault agent rewrites its sink file). */
    public static TokenLogin fromFile(Path file) {
        return new TokenLogin(Secret.file(file));
    }

    /** The token kept in {@code token}. */
    public static TokenLogin from(Secret token) {
        return new TokenLogin(token);
    }

    @Override
    public LoginToken login(VaultClient vault) {
        String value = token.value();
        Map<String, Object> data = vault.get("auth/token/lookup-self", value).data();
        return new LoginToken(value, LoginToken.text(data.get("accessor")), LoginToken.seconds(data.get("ttl")),
                Boolean.TRUE.equals(data.get("renewable")), LoginToken.strings(data.get("policies")));
    }

    @Override
    public String toString() {
        return "TokenLogin[" + token.source() + "]";
    }
}
