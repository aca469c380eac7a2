package dev.herald.client.auth;

import dev.herald.client.VaultClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The login of the auth methods that take a JWT: {@code POST auth/MOUNT/login} with {@code jwt}
 * and, if given, {@code role}. {@link JwtLogin} and {@link KubernetesLogin} are this request with
 * their own defaults and requirements. The JWT is read at each login, because its issuer rotates it.
 */
abstract sealed class JwtBearerLogin implements Login permits JwtLogin, KubernetesLogin {
    private final String name;
    private final String mount;
    private final String role;
    private final Secret jwt;

    /**
     * The parts, each already checked by the subclass (in the order its messages should come).
     *
     * @param name the login's class name, for {@code toString}
     * @param mount as {@link AuthMount#check} returns it
     * @param role the role; null: the mount's {@code default_role}
     * @param jwt where the JWT is kept
     */
    JwtBearerLogin(String name, String mount, String role, Secret jwt) {
        this.name = name;
        this.mount = mount;
        this.role = role;
        this.jwt = jwt;
    }

    @Override
    public final LoginToken login(VaultClient vault) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jwt", jwt.value());
        if (role != null) {
            body.put("role", role);
        }
        return AuthMount.login(vault, mount, body);
    }

    /** The auth mount path, without surrounding slashes. */
    public final String mount() {
        return mount;
    }

    /** The method's name, mount, role and where the JWT comes from (never the JWT). */
    @Override
    public final String toString() {
        return name + "[auth/" + mount + (role == null ? "" : ", role " + role) + ", " + jwt.source() + "]";
    }

    /**
     * What both logins are built from.
     *
     * @param <B> the builder's own type, which each setter returns
     */
    abstract static sealed class Builder<B extends Builder<B>> permits JwtLogin.Builder, KubernetesLogin.Builder {
        String mount;
        String role;
        Secret jwt;

        Builder(String defaultMount, Secret defaultJwt) {
            this.mount = defaultMount;
            this.jwt = defaultJwt;
        }

        abstract B self();

        /** The auth mount path, e.g. {@code jwt/prod} (default: the method's {@code DEFAULT_MOUNT}). */
        public B mount(String mount) {
            this.mount = mount;
            return self();
        }

        /**
         * The role to log in with; JWT auth may leave it to the mount's {@code default_role},
         * Kubernetes auth may not.
         */
        public B role(String role) {
            this.role = role;
            return self();
        }

        /** The file holding the JWT, read at each login. */
        public B jwtFile(Path file) {
            return jwt(Secret.file(file));
        }

        /** Where the JWT is kept. */
        public B jwt(Secret jwt) {
            this.jwt = Objects.requireNonNull(jwt, "jwt");
            return self();
        }
    }
}
