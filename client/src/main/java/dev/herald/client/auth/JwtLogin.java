package dev.herald.client.auth;

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
public final class JwtLogin extends JwtBearerLogin {
    /** The mount path when none is given. */
    public static final String DEFAULT_MOUNT = "jwt";

    private JwtLogin(Builder builder) {
        super("JwtLogin", AuthMount.check(builder.mount),
                builder.role == null || builder.role.isBlank() ? null : builder.role.strip(), requireJwt(builder.jwt));
    }

    private static Secret requireJwt(Secret jwt) {
        if (jwt == null) {
            throw new IllegalArgumentException("JWT auth needs the JWT: give a JWT file");
        }
        return jwt;
    }

    /** A builder with the default mount. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link JwtLogin}; a JWT source is required, the role is not. */
    public static final class Builder extends JwtBearerLogin.Builder<Builder> {
        private Builder() {
            super(DEFAULT_MOUNT, null);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The login.
         *
         * @throws IllegalArgumentException if the JWT source is missing or the mount path is malformed
         */
        public JwtLogin build() {
            return new JwtLogin(this);
        }
    }
}
