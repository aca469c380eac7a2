package dev.herald.client.auth;

import dev.herald.client.VaultClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * JWT auth ({@code POST auth/MOUNT/login} with {@code role} and {@code jwt}), mount {@code jwt} by
 * default. The JWT is read at each login, because its issuer rotates it (a projected Kubernetes
 * service-account token is rewritten by the kubelet long before it expires). The role may be left
 * out when the mount has a {@code default_role}.
 *
 * <pre>{@code
 * Login login = JwtLogin.builder().role("payments").jwtFile(Path.of("/var/run/secrets/tokens/vault")).build();
 * }</pre>
 */
public final class JwtLogin implements Login {
    /** The mount path when none is given. */
    public static final String DEFAULT_MOUNT = "jwt";

    private final String mount;
    private final String role;
    private final Secret jwt;

    private JwtLogin(Builder builder) {
        this.mount = AuthMount.check(builder.mount);
        this.role = builder.role == null || builder.role.isBlank() ? null : builder.role.strip();
        if (builder.jwt == null) {
            throw new IllegalArgumentException("JWT auth needs the JWT: give a JWT file");
        }
        this.jwt = builder.jwt;
    }

    /** A builder with the default mount. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoginToken login(VaultClient vault) {
        return login(vault, mount, role, jwt);
    }

    /** The login of JWT-shaped methods (JWT, Kubernetes). */
    static LoginToken login(VaultClient vault, String mount, String role, Secret jwt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jwt", jwt.value());
        if (role != null) {
            body.put("role", role);
        }
        return AuthMount.login(vault, mount, body);
    }

    /** The auth mount path, without surrounding slashes. */
    public String mount() {
        return mount;
    }

    @Override
    public String toString() {
        return "JwtLogin[auth/" + mount + (role == null ? "" : ", role " + role) + ", " + jwt.source() + "]";
    }

    /** Builds a {@link JwtLogin}; a JWT source is required. */
    public static final class Builder {
        private String mount = DEFAULT_MOUNT;
        private String role;
        private Secret jwt;

        private Builder() {
        }

        /** The auth mount path, e.g. {@code jwt} or {@code jwt/prod} (default {@value JwtLogin#DEFAULT_MOUNT}). */
        public Builder mount(String mount) {
            this.mount = mount;
            return this;
        }

        /** The role to log in with (none: the mount's {@code default_role}). */
        public Builder role(String role) {
            this.role = role;
            return this;
        }

        /** The file holding the JWT, read at each login. */
        public Builder jwtFile(Path file) {
            return jwt(Secret.file(file));
        }

        /** Where the JWT is kept. */
        public Builder jwt(Secret jwt) {
            this.jwt = Objects.requireNonNull(jwt, "jwt");
            return this;
        }

        /**
         * The login.
         *
         * @throws IllegalArgumentException if a required part is missing or the mount path is malformed
         */
        public JwtLogin build() {
            return new JwtLogin(this);
        }
    }
}
